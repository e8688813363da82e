import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';

/** A Kubernetes object as JSON, as `kubectl apply` reads it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** An HTTP probe of the pod, as a check can repeat it against `docker run`. */
export interface PodProbe {
  readonly kind: ProbeKind;
  readonly path: string;
  readonly port: number;
}

/**
 * How a Deployment runs the app container, in the terms of `docker run`:
 * what verify's pod check needs to run the real image with the pod's own
 * settings. Read from rendered manifests, never restated. Here, not under
 * deploy/: the deploy renders the Deployment and verify reads it, and
 * neither depends on the other.
 */
export interface PodRunSettings {
  /** `runAsUser` (the container's, else the pod's). */
  readonly user: number;
  /** `runAsGroup` (the container's, else the pod's). */
  readonly groupId: number;
  readonly readOnlyRootFilesystem: boolean;
  /** Mount paths of the container's emptyDir volumes: `--tmpfs` in docker's words. */
  readonly tmpfsPaths: readonly string[];
  readonly capDrop: readonly string[];
  /** `allowPrivilegeEscalation: false`: `--security-opt no-new-privileges`. */
  readonly noNewPrivileges: boolean;
  /** The literal environment; variables from Secrets are in {@link secretEnv}. */
  readonly env: Readonly<Record<string, string>>;
  /** Variables the pod takes from Secrets: a run must supply them itself. */
  readonly secretEnv: readonly string[];
  readonly probes: readonly PodProbe[];
  readonly terminationGracePeriodSeconds: number;
  /** `resources.limits.memory` in MiB: `--memory` in docker's words; none when the container has no limit. */
  readonly memoryLimitMiB?: number;
}

const PROBES: ReadonlyArray<[ProbeKind, keyof IContainer]> = [
  ['startup', 'startupProbe'],
  ['readiness', 'readinessProbe'],
  ['liveness', 'livenessProbe'],
];

function settingsError(must: string): never {
  throw new Error(`podRunSettings: ${must}`);
}

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { '': 1, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40 };

/** A memory quantity in MiB: bytes or a binary suffix (`256Mi`), as the manifests write it. */
function mebibytesOf(quantity: string | number): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(String(quantity));
  if (!m) settingsError(`the memory limit ${JSON.stringify(quantity)} is not a whole number of bytes, Ki, Mi, Gi or Ti`);
  return (Number(m[1]) * BINARY_SUFFIXES[m[2] ?? '']) / 2 ** 20;
}

/**
 * The run settings of `containerName`, from the Deployment among `manifests`
 * (objects as rendered, or as `kubectl kustomize` prints them). Throws when
 * there is no Deployment, no such container, or a probe that is not an HTTP
 * GET on a numeric port. Pure.
 */
export function podRunSettings(manifests: Iterable<KubeObject> | Readonly<Record<string, KubeObject>>, containerName: string): PodRunSettings {
  const objects = Symbol.iterator in manifests ? [...(manifests as Iterable<KubeObject>)] : Object.values(manifests);
  const deployments = objects.filter((o) => o.kind === 'Deployment') as unknown as IDeployment[];
  if (deployments.length !== 1) settingsError(`expected exactly one Deployment, got ${deployments.length}`);
  const pod = deployments[0].spec?.template.spec ?? settingsError('the Deployment has no pod spec');
  const container = pod.containers.find((c) => c.name === containerName)
    ?? settingsError(`the Deployment has no container named "${containerName}"`);
  const sc = container.securityContext ?? {};
  const memory = container.resources?.limits?.memory;
  const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));

  const user = sc.runAsUser ?? pod.securityContext?.runAsUser ?? settingsError('runAsUser is unset');
  const groupId = sc.runAsGroup ?? pod.securityContext?.runAsGroup ?? settingsError('runAsGroup is unset');
  const probes = PROBES.flatMap(([kind, field]) => {
    const probe = container[field] as IProbe | undefined;
    if (!probe) return [];
    const get = probe.httpGet ?? settingsError(`the ${kind} probe is not an HTTP GET`);
    if (typeof get.port !== 'number') settingsError(`the ${kind} probe's port must be a number, got ${JSON.stringify(get.port)}`);
    return [{ kind, path: get.path ?? '/', port: get.port }];
  });

  return {
    user,
    groupId,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    tmpfsPaths: (container.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath),
    capDrop: [...(sc.capabilities?.drop ?? [])],
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    env: Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string])),
    secretEnv: (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name),
    probes,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    ...(memory === undefined ? {} : { memoryLimitMiB: mebibytesOf(memory) }),
  };
}
