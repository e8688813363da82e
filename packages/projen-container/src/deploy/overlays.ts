import { NODE_OPTIONS } from './heap-limit';
import type { DeployTarget } from './kubernetes';
import { BASE_DIR, KUSTOMIZATION_FILE, MANIFEST_FILES, migrateJobName, renderKubernetes } from './kubernetes';
import type { ResolvedKubernetesProps } from './kubernetes-props';
import type { Release } from './releases';
import type { ResolvedContainer } from '../container';

/** An overlay's target: its release's version and digest, its size and namespace. Pure. */
export function overlayTarget(k: ResolvedKubernetesProps, releases: Readonly<Record<string, Release>>, name: string): DeployTarget {
  const environment = k.environments.find((e) => e.name === name);
  if (!environment) throw new Error(`KubernetesManifests: no environment "${name}" (declared: ${k.environments.map((e) => e.name).join(', ')})`);
  const release = releases[name];
  return { version: release.version, image: `${k.registryImage}@${release.digest}`, environment };
}

/** A pod template's containers, by name, with only their resources and the env derived from them (merged by name). */
function podResources(o: any) {
  const pod = o.spec.template.spec;
  const only = (containers: any[] | undefined) => containers?.map((c) => ({
    name: c.name,
    resources: c.resources,
    env: (c.env as any[]).filter((e) => e.name === NODE_OPTIONS),
  }));
  const initContainers = pod.initContainers ? { initContainers: only(pod.initContainers) } : {};
  return { spec: { template: { spec: { containers: only(pod.containers), ...initContainers } } } };
}

const PATCHED: ReadonlyArray<[keyof typeof MANIFEST_FILES, (o: any) => unknown]> = [
  ['deployment', podResources],
  ['migrateJob', podResources],
  // cdk8s-plus derives the scale-down policy from the bounds too.
  ['horizontalPodAutoscaler', (o) => ({ spec: { minReplicas: o.spec.minReplicas, maxReplicas: o.spec.maxReplicas, behavior: o.spec.behavior } })],
];

/**
 * `overlays/<name>/`: a kustomization over `base/` that sets the namespace,
 * the release's version label and image digest, renames the migration Job
 * for the release, and strategic-merge patches (one file per object) for
 * the environment's resources with the heap limit derived from them, its
 * replica bounds and disruption budget, each
 * cut from the environment's own rendering. Pure.
 */
export function renderOverlay(
  r: ResolvedContainer, k: ResolvedKubernetesProps, releases: Readonly<Record<string, Release>>, name: string,
): Record<string, unknown> {
  const target = overlayTarget(k, releases, name);
  const objects = renderKubernetes(r, k, target);
  const baseJob = migrateJobName(k, r.version);
  // Patches name the base's objects: the base's namespace, and the Job's name before it is renamed (last).
  const ns = k.namespace ? { namespace: k.namespace } : {};
  const patches: Record<string, unknown> = {};
  for (const [key, cut] of PATCHED) {
    const o = objects[MANIFEST_FILES[key]];
    if (!o) continue;
    const baseName = o.kind === 'Job' ? baseJob : o.metadata.name;
    patches[MANIFEST_FILES[key]] = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: baseName, ...ns }, ...(cut(o) as object) };
  }
  const rename = r.migrateCommand && migrateJobName(k, target.version) !== baseJob ? [{
    target: { kind: 'Job', name: baseJob, ...ns },
    patch: JSON.stringify([{ op: 'replace', path: '/metadata/name', value: migrateJobName(k, target.version) }]),
    options: { allowNameChange: true },
  }] : [];
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [`../../${BASE_DIR}`],
    ...(target.environment.namespace ? { namespace: target.environment.namespace } : {}),
    // Not in selectors: they cannot change, and a new version must select the old pods too.
    labels: [{ pairs: { 'app.kubernetes.io/version': target.version }, includeTemplates: true }],
    images: [{ name: k.registryImage, digest: releases[name].digest }],
    patches: [...Object.keys(patches).map((path) => ({ path })), ...rename],
  };
  return { [KUSTOMIZATION_FILE]: kustomization, ...patches };
}
