import { join } from 'path';
import { Component } from 'projen';
import { CONTAINER_NAMES, DEPLOY_TASKS, PRODUCTION, RELEASES_FILE } from './defaults';
import { BASE_DIR, KUSTOMIZATION_FILE, OVERLAYS_DIR, baseTarget, renderBaseKustomization, renderKubernetes } from './kubernetes';
import type { KubernetesDocFacts } from './kubernetes-docs';
import type { KubernetesManifestsProps, ResolvedKubernetesProps } from './kubernetes-props';
import { DEFAULT_KUBERNETES_OUTDIR, environmentNames, resolveKubernetesProps } from './kubernetes-props';
import { renderKubernetesYaml } from './kubernetes-yaml';
import { overlayTarget, renderOverlay } from './overlays';
import type { Release } from './releases';
import { readReleases } from './releases';
import type { ContainerImage, KubeObject } from '../container';
import { toolCommand } from '../container/tool-command';
import { GeneratedFile } from '../generated-file';

/** Everything the component writes and says, rendered from one reading of the declaration. */
interface Rendering {
  readonly props: ResolvedKubernetesProps;
  readonly releases: Record<string, Release>;
  readonly base: Record<string, KubeObject>;
  readonly baseKustomization: Record<string, unknown>;
  readonly overlays: Record<string, Record<string, unknown>>;
}

/**
 * `deploy/kubernetes/`: `base/` holds the ServiceAccount, Deployment, Service,
 * PodDisruptionBudget, HPA, NetworkPolicy and migration Job, rendered with
 * cdk8s-plus in-process and written as generated files (marker,
 * files.json) as kustomize reads them (kubernetes-yaml.ts);
 * `overlays/<environment>/` patch them per environment and pin
 * its release's image by digest. Nothing is read from the image's resolved
 * model before synthesis: every `add*` call on it, wherever it is, counts.
 */
export class KubernetesManifests extends Component {
  private rendering?: Rendering;

  constructor(private readonly image: ContainerImage, private readonly props: KubernetesManifestsProps = {}) {
    super(image.project);
    // Verify runs the real image as the production Deployment runs it, from kustomize's rendering, not from here.
    // Added before anything reads the image's model, which is final once read.
    const database = image.declared.database !== undefined;
    image.addCheck('runtime', {
      name: 'pod',
      title: 'run with the production Deployment\'s own user, read-only root, emptyDir, capabilities, env and memory limit'
        + (database
          ? ', and the database unreachable: only a probe of the database path may fail, it stops within the grace period'
          : ': every probe answers 200, it stops within the grace period')
        + ', and a heap filled under that env and limit ends in V8\'s "heap out of memory", not in the kernel\'s OOM kill',
      kind: 'pod',
      kustomization: `${props.outdir ?? DEFAULT_KUBERNETES_OUTDIR}/${OVERLAYS_DIR}/${PRODUCTION}`,
      container: CONTAINER_NAMES.api,
      ...(database ? { databasePath: image.declared.healthPath } : {}),
    });
    image.project.addTask(DEPLOY_TASKS.release, {
      description: `Record the release an environment runs in ${RELEASES_FILE} (ENVIRONMENT, VERSION, DIGEST), then synthesize`,
      steps: [{ exec: `${toolCommand(image.project.outdir, 'deploy/release-cli')} ${environmentNames(props).join(',')}` }, { spawn: 'default' }],
    });
  }

  public get resolvedProps(): ResolvedKubernetesProps {
    return this.rendered.props;
  }

  /** Each environment's release, from {@link RELEASES_FILE}. */
  public get releases(): Record<string, Release> {
    return this.rendered.releases;
  }

  /** The base's objects by file name. */
  public get manifests(): Record<string, KubeObject> {
    return this.rendered.base;
  }

  /** An environment's objects, as `kubectl kustomize` renders its overlay. */
  public environment(name: string): Record<string, KubeObject> {
    const { props: k, releases } = this.rendered;
    return renderKubernetes(this.image.resolved, k, overlayTarget(k, releases, name));
  }

  /** What docs/deploy.md says about the deploy. */
  public get docFacts(): KubernetesDocFacts {
    const { props: k, base, releases } = this.rendered;
    return {
      container: this.image.resolved,
      kubernetes: k,
      base,
      environments: Object.fromEntries(k.environments.map((e) => [e.name, this.environment(e.name)])),
      releases,
    };
  }

  /**
   * The files, once the declaration is final: which objects there are (a
   * migration Job or none) is the rendering's to say, not a second list's.
   */
  public preSynthesize(): void {
    const { props: k, base, baseKustomization, overlays } = this.rendered;
    const write = (dir: string, file: string, obj: unknown) =>
      new GeneratedFile(this.project, `${dir}/${file}`, { render: (marker) => renderKubernetesYaml(obj, marker) });
    for (const [file, obj] of Object.entries(base)) write(`${k.outdir}/${BASE_DIR}`, file, obj);
    write(`${k.outdir}/${BASE_DIR}`, KUSTOMIZATION_FILE, baseKustomization);
    for (const [env, overlay] of Object.entries(overlays)) {
      for (const [file, obj] of Object.entries(overlay)) write(`${k.outdir}/${OVERLAYS_DIR}/${env}`, file, obj);
    }
  }

  /** Rendered on first read: at synthesis, unless a caller reads it before (which resolves the image then). */
  private get rendered(): Rendering {
    if (!this.rendering) {
      const r = this.image.resolved;
      const k = resolveKubernetesProps(r, this.props);
      const releases = readReleases(join(this.project.outdir, RELEASES_FILE), RELEASES_FILE, k.environments.map((e) => e.name), r.version);
      const base = renderKubernetes(r, k, baseTarget(r, k));
      this.rendering = {
        props: k,
        releases,
        base,
        baseKustomization: renderBaseKustomization(r, k, Object.keys(base)),
        overlays: Object.fromEntries(k.environments.map((e) => [e.name, renderOverlay(r, k, releases, e.name)])),
      };
    }
    return this.rendering;
  }
}
