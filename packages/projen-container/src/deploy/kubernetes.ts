import type { ApiObjectMetadata } from 'cdk8s';
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  CONTAINER_NAMES, DATABASE_URL_KEY, HPA_CPU_UTILIZATION, LIVENESS, MANAGED_BY, MIGRATE_BACKOFF_LIMIT, MIGRATE_DEADLINE_S,
  MIGRATE_HOOK_ANNOTATIONS, MIGRATE_TTL_S, PDB_MAX_UNAVAILABLE, PLACEHOLDER_DIGEST, POD_WORKERS, PRE_STOP_SLEEP_S, PRODUCTION, READINESS,
  SPREAD_MAX_SKEW, STARTUP_PERIOD_S, TERMINATION_SLACK_S,
} from './defaults';
import { heapLimitMiB, NODE_OPTIONS, nodeOptions } from './heap-limit';
import { patchBeyondCdk8sPlus } from './kubernetes-patches';
import type { ResolvedEnvironment, ResolvedKubernetesProps } from './kubernetes-props';
import { networkPolicyOf } from './network-policy';
import type { KubeObject, ResolvedContainer } from '../container';
import { fail } from '../container/validation';

/** The folders under the output folder: the objects, and one kustomization per environment. */
export const BASE_DIR = 'base';
export const OVERLAYS_DIR = 'overlays';

/** One file per object under `base/`, in the order kustomize lists them. */
export const MANIFEST_FILES = {
  serviceAccount: 'service-account.yaml',
  deployment: 'deployment.yaml',
  service: 'service.yaml',
  podDisruptionBudget: 'pod-disruption-budget.yaml',
  horizontalPodAutoscaler: 'horizontal-pod-autoscaler.yaml',
  networkPolicy: 'network-policy.yaml',
  migrateJob: 'migrate-job.yaml',
} as const;
export type ManifestName = keyof typeof MANIFEST_FILES;
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
const KINDS: Record<string, ManifestName> = {
  ServiceAccount: 'serviceAccount',
  Deployment: 'deployment',
  Service: 'service',
  PodDisruptionBudget: 'podDisruptionBudget',
  HorizontalPodAutoscaler: 'horizontalPodAutoscaler',
  NetworkPolicy: 'networkPolicy',
  Job: 'migrateJob',
};

/**
 * What differs between the base and each overlay: the release, the image
 * reference, the namespace and the environment's size.
 */
export interface DeployTarget {
  /** `app.kubernetes.io/version`, and the migration Job's name. */
  readonly version: string;
  /** The containers' image: the bare image name in the base, for kustomize to map. */
  readonly image: string;
  readonly environment: ResolvedEnvironment;
}

/** The migration Job of a release: a new name per version, so each release's Job is a new object. */
export function migrateJobName(k: Pick<ResolvedKubernetesProps, 'name'>, version: string): string {
  const name = `${k.name}-${CONTAINER_NAMES.migrate}-${version}`.toLowerCase();
  // The Job controller copies the name into a label value of each pod: at most 63 characters.
  if (name.length > 63) fail('KubernetesManifests', 'version', `makes the Job name ${name} longer than 63 characters`, version);
  return name;
}

/** The app's shutdown timeout, the preStop sleep before it, and slack. Pure. */
export function terminationGracePeriodSeconds(r: Pick<ResolvedContainer, 'shutdownTimeoutMs'>): number {
  return PRE_STOP_SLEEP_S + Math.ceil(r.shutdownTimeoutMs / 1000) + TERMINATION_SLACK_S;
}

/** `size=64m` of a tmpfs option string, as a cdk8s size; none when unbounded. */
export function tmpfsSize(options: string): Size | undefined {
  const m = /(?:^|,)size=(\d+)([kmg]?)(?:,|$)/i.exec(options);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2].toLowerCase()) {
    case 'g': return Size.gibibytes(n);
    case 'm': return Size.mebibytes(n);
    case 'k': return Size.kibibytes(n);
    default: return Size.kibibytes(Math.ceil(n / 1024));
  }
}

/** What selects a component's pods: never the version, since selectors cannot change. */
export const selectorOf = (k: Pick<ResolvedKubernetesProps, 'name'>, component: string) => ({
  'app.kubernetes.io/name': k.name,
  'app.kubernetes.io/component': component,
});

/** The app's one port, named so that a Service or an Ingress can name it. */
const httpPort = (r: Pick<ResolvedContainer, 'port'>): kplus.ContainerPort => ({ number: r.port, name: 'http' });

/** What every object of one rendering shares: the chart they are rendered in, and what they are rendered from. */
interface Rendering {
  readonly chart: Chart;
  readonly r: ResolvedContainer;
  readonly props: ResolvedKubernetesProps;
  readonly target: DeployTarget;
  /** The Secret the pods read the database's URL from, when the app has a database. */
  readonly databaseUrl?: kplus.EnvValue;
}

function labelsOf({ props, target }: Rendering, component: string): Record<string, string> {
  return {
    ...selectorOf(props, component),
    'app.kubernetes.io/version': target.version,
    'app.kubernetes.io/part-of': props.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

function metadataOf(c: Rendering, objectName: string, component: string, annotations?: Record<string, string>): ApiObjectMetadata {
  const namespace = c.target.environment.namespace;
  return {
    name: objectName,
    ...(namespace ? { namespace } : {}),
    labels: labelsOf(c, component),
    ...(annotations ? { annotations } : {}),
  };
}

/** verify's hardened profile, as the restricted Pod Security Standard words it, as the declared user. */
function podSecurityOf(r: ResolvedContainer): kplus.PodSecurityContextProps {
  return { user: r.uid, group: r.gid, ensureNonRoot: true };
}

function containerSecurityOf(r: ResolvedContainer): kplus.ContainerSecurityContextProps {
  return {
    user: r.uid,
    group: r.gid,
    ensureNonRoot: true,
    privileged: false,
    readOnlyRootFilesystem: r.hardened.readOnlyRootFilesystem,
    allowPrivilegeEscalation: !r.hardened.noNewPrivileges,
    capabilities: { drop: r.hardened.capDrop.map((cap) => cap as kplus.Capability) },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** The image's tmpfs mounts, as memory-backed emptyDirs of the same size. */
function tmpfsMounts({ chart, r }: Rendering, workload: string): kplus.VolumeMount[] {
  return Object.entries(r.hardened.tmpfs).map(([path, options], i) => ({
    path,
    volume: kplus.Volume.fromEmptyDir(chart, `${workload}-tmpfs-${i}`, `tmpfs-${i}`, {
      medium: kplus.EmptyDirMedium.MEMORY,
      sizeLimit: tmpfsSize(options),
    }),
  }));
}

/**
 * Every container here has the memory limit, so each gets a heap limit below
 * it for the node processes it runs. First: kustomize's merge puts the
 * variables an overlay patches (this one, per size) first, and the base agrees.
 */
function envOf(c: Rendering, workers: number, extra: Record<string, string> = {}): Record<string, kplus.EnvValue> {
  const { [NODE_OPTIONS]: declaredNodeOptions, ...declaredEnv } = c.r.env;
  return {
    ...Object.fromEntries(Object.entries({
      [NODE_OPTIONS]: nodeOptions(declaredNodeOptions, heapLimitMiB(c.target.environment.resources.memoryMiB, workers)),
      ...declaredEnv,
      ...extra,
    }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
    ...(c.databaseUrl ? { [DATABASE_URL_KEY]: c.databaseUrl } : {}),
  };
}

/** What the app's and the migration's containers share: the image, its pull policy, the hardening and the size. */
function imageContainerOf(c: Rendering): Pick<kplus.ContainerProps, 'image' | 'imagePullPolicy' | 'securityContext' | 'resources'> {
  const res = c.target.environment.resources;
  return {
    image: c.target.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    securityContext: containerSecurityOf(c.r),
    resources: {
      cpu: { request: kplus.Cpu.millis(res.cpuRequestMillis), limit: kplus.Cpu.millis(res.cpuLimitMillis) },
      memory: { request: Size.mebibytes(res.memoryMiB), limit: Size.mebibytes(res.memoryMiB) },
    },
  };
}

function migrateContainerOf(c: Rendering, volumeMounts: kplus.VolumeMount[]): kplus.ContainerProps {
  return {
    ...imageContainerOf(c),
    name: CONTAINER_NAMES.migrate,
    command: [...(c.r.migrateCommand ?? [])],
    envVariables: envOf(c, 1),
    volumeMounts,
  };
}

/**
 * The app's container. No probe asks the database: an outage it shares with
 * every pod must neither take them all out of the Service
 * (docs/decisions/0005) nor restart them. Readiness asks healthPath only if
 * no liveness path is declared. The probes are given the port: cdk8s-plus
 * derives it only from `portNumber`, which cannot name the port and would add
 * a TCP startup probe to an image without a liveness path.
 */
function apiContainerOf(c: Rendering, volumeMounts: kplus.VolumeMount[]): kplus.ContainerProps {
  const { r } = c;
  const port = httpPort(r);
  const timeoutSeconds = Duration.seconds(r.healthcheck.timeoutS);
  const httpProbe = (path: string, periodS: number, failureThreshold: number) =>
    kplus.Probe.fromHttpGet(path, { port: port.number, periodSeconds: Duration.seconds(periodS), failureThreshold, timeoutSeconds });
  return {
    ...imageContainerOf(c),
    name: CONTAINER_NAMES.api,
    ports: [port],
    envVariables: envOf(c, POD_WORKERS, { WEB_CONCURRENCY: String(POD_WORKERS) }),
    volumeMounts,
    readiness: httpProbe(r.livenessPath ?? r.healthPath, READINESS.periodS, READINESS.failureThreshold),
    ...(r.livenessPath ? {
      liveness: httpProbe(r.livenessPath, LIVENESS.periodS, LIVENESS.failureThreshold),
      startup: httpProbe(r.livenessPath, STARTUP_PERIOD_S, Math.ceil(r.healthcheck.startPeriodS / STARTUP_PERIOD_S)),
    } : {}),
  };
}

function serviceAccountOf(c: Rendering): kplus.ServiceAccount {
  return new kplus.ServiceAccount(c.chart, 'service-account', {
    metadata: metadataOf(c, c.props.name, CONTAINER_NAMES.api),
    // The app never calls the Kubernetes API: no token in its pods, and none to steal.
    automountToken: false,
  });
}

/** The API's pods, selected by the app.kubernetes.io labels; the HPA owns their count. */
function deploymentOf(c: Rendering, serviceAccount: kplus.ServiceAccount): kplus.Deployment {
  const { r } = c;
  const mounts = tmpfsMounts(c, 'api');
  const deployment = new kplus.Deployment(c.chart, 'deployment', {
    metadata: metadataOf(c, c.props.name, CONTAINER_NAMES.api),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    // Not cdk8s-plus's construct-path label: ours, which a reader and other tools understand.
    select: false,
    podMetadata: {
      labels: labelsOf(c, CONTAINER_NAMES.api),
      ...(r.metricsPath ? {
        annotations: {
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(r.port),
          'prometheus.io/path': r.metricsPath,
        },
      } : {}),
    },
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: podSecurityOf(r),
    terminationGracePeriod: Duration.seconds(terminationGracePeriodSeconds(r)),
    // The release's migration runs before this release's app starts, in every pod (docs/decisions/0006).
    initContainers: r.migrateCommand ? [migrateContainerOf(c, mounts)] : [],
    containers: [apiContainerOf(c, mounts)],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selectorOf(c.props, CONTAINER_NAMES.api) }));
  return deployment;
}

/** The Deployment's pods on its container's ports. */
function serviceOf(c: Rendering, deployment: kplus.Deployment): kplus.Service {
  return new kplus.Service(c.chart, 'service', {
    metadata: metadataOf(c, c.props.name, CONTAINER_NAMES.api),
    selector: kplus.Pods.select(c.chart, 'service-pods', { labels: deployment.matchLabels }),
    ports: deployment.containers.flatMap((container) => container.ports).map((p) => ({ name: p.name, port: p.number, targetPort: p.number })),
  });
}

/** cdk8s-plus has no PodDisruptionBudget: the generated API object, selecting the Deployment's pods. */
function podDisruptionBudgetOf(c: Rendering, deployment: kplus.Deployment): kplus.k8s.KubePodDisruptionBudget {
  return new kplus.k8s.KubePodDisruptionBudget(c.chart, 'pdb', {
    metadata: metadataOf(c, c.props.name, CONTAINER_NAMES.api),
    spec: {
      // One pod at a time at any scale the HPA chose: at its floor (the declared workers plus a
      // spare) the declared capacity stays, and the hostname spread keeps one pod per node.
      maxUnavailable: kplus.k8s.IntOrString.fromNumber(PDB_MAX_UNAVAILABLE),
      selector: { matchLabels: deployment.matchLabels },
      // Pods that are not ready (the database is down) serve nothing; a drain may take them.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/**
 * The environment's replica bounds. The HPA owns the count: cdk8s-plus leaves
 * `replicas` out of a Deployment an autoscaler targets, where it would fight
 * the HPA on every sync (server-side apply, Argo CD, Flux). A new Deployment
 * starts one pod and the HPA raises it to its floor at once.
 */
function horizontalPodAutoscalerOf(c: Rendering, deployment: kplus.Deployment): kplus.HorizontalPodAutoscaler {
  const env = c.target.environment;
  return new kplus.HorizontalPodAutoscaler(c.chart, 'hpa', {
    metadata: metadataOf(c, c.props.name, CONTAINER_NAMES.api),
    target: deployment,
    minReplicas: env.minReplicas,
    maxReplicas: env.maxReplicas,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(HPA_CPU_UTILIZATION))],
  });
}

/** Both the API's pods and the migration's: neither needs more than this. */
function appNetworkPolicyOf(c: Rendering): kplus.NetworkPolicy {
  const metadata = metadataOf(c, c.props.name, CONTAINER_NAMES.api);
  return networkPolicyOf(c.chart, { ...metadata, labels: { ...metadata.labels, 'app.kubernetes.io/component': 'network' } },
    c.r.port, c.props, { 'app.kubernetes.io/name': c.props.name });
}

/** The release's migration, for Argo CD's PreSync hook; none for an image that does not migrate. */
function migrateJobOf(c: Rendering, serviceAccount: kplus.ServiceAccount): kplus.Job | undefined {
  if (!c.r.migrateCommand) return undefined;
  return new kplus.Job(c.chart, 'migrate', {
    metadata: metadataOf(c, migrateJobName(c.props, c.target.version), CONTAINER_NAMES.migrate, { ...MIGRATE_HOOK_ANNOTATIONS }),
    podMetadata: { labels: labelsOf(c, CONTAINER_NAMES.migrate) },
    backoffLimit: MIGRATE_BACKOFF_LIMIT,
    activeDeadline: Duration.seconds(MIGRATE_DEADLINE_S),
    ttlAfterFinished: Duration.seconds(MIGRATE_TTL_S),
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: podSecurityOf(c.r),
    containers: [migrateContainerOf(c, tmpfsMounts(c, 'migrate'))],
  });
}

/**
 * Every object of the deploy for one target, by base file name, rendered in
 * memory with cdk8s-plus from the resolved declaration, one function per
 * object. Pure: no file is written. For an overlay's target it is what
 * `kubectl kustomize` renders from that overlay (a test holds the two equal).
 */
export function renderKubernetes(r: ResolvedContainer, props: ResolvedKubernetesProps, target: DeployTarget): Record<string, KubeObject> {
  const chart = new Chart(new App(), 'deploy', { disableResourceNameHashes: true });
  const databaseUrl = props.database && kplus.EnvValue.fromSecretValue({
    secret: kplus.Secret.fromSecretName(chart, 'database-secret', props.database.secret),
    key: DATABASE_URL_KEY,
  });
  const c: Rendering = { chart, r, props, target, ...(databaseUrl ? { databaseUrl } : {}) };

  const serviceAccount = serviceAccountOf(c);
  const deployment = deploymentOf(c, serviceAccount);
  serviceOf(c, deployment);
  podDisruptionBudgetOf(c, deployment);
  horizontalPodAutoscalerOf(c, deployment);
  appNetworkPolicyOf(c);
  const job = migrateJobOf(c, serviceAccount);
  patchBeyondCdk8sPlus({ deployment, job }, {
    imagePullSecrets: props.imagePullSecrets,
    topologySpreadConstraints: spreadConstraints(deployment.matchLabels),
    preStopSleepS: PRE_STOP_SLEEP_S,
  });

  const rendered = chart.toJson() as KubeObject[];
  const files: Record<string, KubeObject> = {};
  for (const key of Object.keys(MANIFEST_FILES) as ManifestName[]) {
    const obj = rendered.find((o) => KINDS[o.kind] === key);
    if (obj) files[MANIFEST_FILES[key]] = obj;
  }
  return files;
}

/**
 * Zones softly, nodes firmly. Zones: ScheduleAnyway, since a node without
 * the zone label (a single-node or on-premises cluster) would otherwise be
 * ineligible and nothing would schedule. Nodes: DoNotSchedule with skew 1,
 * so once there are as many nodes as the floor no node holds two pods and a
 * node failure takes at most the spare the PodDisruptionBudget allows; one
 * node is one domain, so a single-node cluster still schedules. Cordoned
 * (tainted) nodes are not counted, so a drain does not block the spread.
 */
export function spreadConstraints(selector: Record<string, string>) {
  return [
    ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ['kubernetes.io/hostname', 'DoNotSchedule'],
  ].map(([topologyKey, whenUnsatisfiable]) => ({
    maxSkew: SPREAD_MAX_SKEW,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
    nodeTaintsPolicy: 'Honor',
  }));
}

/** The base's target: the package version, the bare image name, the declared (production) size. */
export function baseTarget(r: ResolvedContainer, props: ResolvedKubernetesProps): DeployTarget {
  const production = props.environments.find((e) => e.name === PRODUCTION)!;
  return {
    version: r.version,
    image: r.imageName,
    environment: { ...production, name: 'base', namespace: props.namespace },
  };
}

/** `base/kustomization.yaml`: the manifests, and the image mapped to the registry with a placeholder digest. Pure. */
export function renderBaseKustomization(r: ResolvedContainer, props: ResolvedKubernetesProps, files: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files],
    images: [{ name: r.imageName, newName: props.registryImage, digest: PLACEHOLDER_DIGEST }],
  };
}

