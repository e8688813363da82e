import { join } from 'path';
import { Component, YamlFile } from 'projen';
import { CONTAINER_NAMES, PRODUCTION, RELEASES_FILE } from './defaults';
import {
  BASE_DIR, KUSTOMIZATION_FILE, MANIFEST_FILES, OVERLAYS_DIR, baseTarget, renderBaseKustomization, renderKubernetes,
} from './kubernetes';
import type { KubernetesDocFacts } from './kubernetes-docs';
import type { KubernetesManifestsProps, ResolvedKubernetesProps } from './kubernetes-props';
import { resolveKubernetesProps } from './kubernetes-props';
import { overlayTarget, renderOverlay } from './overlays';
import type { Release } from './releases';
import { readReleases } from './releases';
import type { ContainerImage, KubeObject } from '../container';

/**
 * `deploy/kubernetes/`: `base/` holds the ServiceAccount, Deployment, Service,
 * PodDisruptionBudget, HPA, NetworkPolicy and migration Job, rendered with
 * cdk8s-plus in-process and written through projen's `YamlFile` (marker,
 * files.json); `overlays/<environment>/` patch them per environment and pin
 * its release's image by digest.
 */
export class KubernetesManifests extends Component {
  public readonly files: Readonly<Record<string, YamlFile>>;
  private rendered?: Record<string, KubeObject>;

  constructor(private readonly image: ContainerImage, private readonly props: KubernetesManifestsProps = {}) {
    super(image.project);
    const k = this.resolvedProps;
    const files: Record<string, YamlFile> = {};
    const write = (path: string, obj: () => unknown) => { files[path] = new YamlFile(image.project, path, { obj }); };
    // The file set is fixed by whether the app migrates and which environments exist; content renders at synthesis.
    const names = Object.values(MANIFEST_FILES).filter((f) => f !== MANIFEST_FILES.migrateJob || image.resolved.migrateCommand);
    for (const file of names) write(`${k.outdir}/${BASE_DIR}/${file}`, () => this.manifests[file]);
    write(`${k.outdir}/${BASE_DIR}/${KUSTOMIZATION_FILE}`, () => renderBaseKustomization(this.image.resolved, this.resolvedProps, names));
    for (const { name } of k.environments) {
      for (const file of Object.keys(renderOverlay(this.image.resolved, k, this.releases, name))) {
        write(`${k.outdir}/${OVERLAYS_DIR}/${name}/${file}`, () => renderOverlay(this.image.resolved, this.resolvedProps, this.releases, name)[file]);
      }
    }
    this.files = files;
    // Verify runs the real image as the production Deployment runs it, from kustomize's rendering, not from here.
    image.addCheck('runtime', {
      name: 'pod',
      title: 'run with the production Deployment\'s own user, read-only root, emptyDir, capabilities and env, and the database '
        + 'unreachable: startup and liveness probes pass, readiness fails, and it stops within the grace period',
      kind: 'pod',
      kustomization: `${k.outdir}/${OVERLAYS_DIR}/${PRODUCTION}`,
      container: CONTAINER_NAMES.api,
    });
  }

  public get resolvedProps(): ResolvedKubernetesProps {
    return resolveKubernetesProps(this.image.resolved, this.props);
  }

  /** Each environment's release, from {@link RELEASES_FILE}. */
  public get releases(): Record<string, Release> {
    const k = this.resolvedProps;
    const path = join(this.project.outdir, RELEASES_FILE);
    return readReleases(path, RELEASES_FILE, k.environments.map((e) => e.name), this.image.resolved.version);
  }

  /** The base's objects by file name, rendered once per synthesis. */
  public get manifests(): Record<string, KubeObject> {
    const r = this.image.resolved;
    const k = this.resolvedProps;
    this.rendered ??= renderKubernetes(r, k, baseTarget(r, k));
    return this.rendered;
  }

  /** An environment's objects, as `kubectl kustomize` renders its overlay. */
  public environment(name: string): Record<string, KubeObject> {
    const r = this.image.resolved;
    const k = this.resolvedProps;
    return renderKubernetes(r, k, overlayTarget(k, this.releases, name));
  }

  /** What docs/deploy.md says about the deploy. */
  public get docFacts(): KubernetesDocFacts {
    const k = this.resolvedProps;
    return {
      container: this.image.resolved,
      kubernetes: k,
      base: this.manifests,
      environments: Object.fromEntries(k.environments.map((e) => [e.name, this.environment(e.name)])),
      releases: this.releases,
    };
  }

  public preSynthesize(): void {
    // The declaration is final now: render from it, not from what construction saw.
    this.rendered = undefined;
  }
}
