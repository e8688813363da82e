import { ApiObject, ApiObjectMetadata, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  CONTAINER_NAMES, DATABASE_URL_KEY, HPA_CPU_UTILIZATION, LIVENESS, MANAGED_BY, MIGRATE_BACKOFF_LIMIT, MIGRATE_DEADLINE_S,
  MIGRATE_HOOK_ANNOTATIONS, MIGRATE_TTL_S, PDB_MAX_UNAVAILABLE, PLACEHOLDER_DIGEST, POD_WORKERS, PRE_STOP_SLEEP_S, PRODUCTION, READINESS,
  SPREAD_MAX_SKEW, STARTUP_PERIOD_S, TERMINATION_SLACK_S,
} from './defaults';
import { heapLimitMiB, NODE_OPTIONS, nodeOptions } from './heap-limit';
import type { ResolvedEnvironment, ResolvedKubernetesProps } from './kubernetes-props';
import { networkPolicySpec } from './network-policy';
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
export function migrateJobName(r: Pick<ResolvedContainer, 'imageName'>, version: string): string {
  const name = `${r.imageName}-${CONTAINER_NAMES.migrate}-${version}`.toLowerCase();
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

/** cdk8s-plus labels every pod with its construct path; our selectors use the app.kubernetes.io labels instead. */
const ADDRESS_LABEL_PATH = '/spec/template/metadata/labels/cdk8s.io~1metadata.addr';

/** What selects a component's pods: never the version, since selectors cannot change. */
export const selectorOf = (r: Pick<ResolvedContainer, 'imageName'>, component: string) => ({
  'app.kubernetes.io/name': r.imageName,
  'app.kubernetes.io/component': component,
});

/**
 * Every object of the deploy for one target, by base file name, rendered in
 * memory with cdk8s-plus from the resolved declaration. Pure: no file is
 * written. For an overlay's target it is what `kubectl kustomize` renders
 * from that overlay (a test holds the two equal).
 */
export function renderKubernetes(r: ResolvedContainer, props: ResolvedKubernetesProps, target: DeployTarget): Record<string, KubeObject> {
  const chart = new Chart(new App(), 'deploy', { disableResourceNameHashes: true });
  const name = r.imageName;
  const h = r.hardened;
  const env = target.environment;
  const metadataOf = (objectName: string, component: string, annotations?: Record<string, string>): ApiObjectMetadata => ({
    name: objectName,
    ...(env.namespace ? { namespace: env.namespace } : {}),
    labels: labelsOf(component),
    ...(annotations ? { annotations } : {}),
  });
  const labelsOf = (component: string) => ({
    ...selectorOf(r, component),
    'app.kubernetes.io/version': target.version,
    'app.kubernetes.io/part-of': props.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  });

  // verify's hardened profile, as the restricted Pod Security Standard words it, as the declared user.
  const podSecurity: kplus.PodSecurityContextProps = { user: r.uid, group: r.gid, ensureNonRoot: true };
  const containerSecurity: kplus.ContainerSecurityContextProps = {
    user: r.uid,
    group: r.gid,
    ensureNonRoot: true,
    privileged: false,
    readOnlyRootFilesystem: h.readOnlyRootFilesystem,
    allowPrivilegeEscalation: !h.noNewPrivileges,
    capabilities: { drop: h.capDrop.map((c) => c as kplus.Capability) },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
  const tmpfsMounts = (workload: string): kplus.VolumeMount[] => Object.entries(h.tmpfs).map(([path, options], i) => ({
    path,
    volume: kplus.Volume.fromEmptyDir(chart, `${workload}-tmpfs-${i}`, `tmpfs-${i}`, {
      medium: kplus.EmptyDirMedium.MEMORY,
      sizeLimit: tmpfsSize(options),
    }),
  }));
  const databaseUrl = props.database && kplus.EnvValue.fromSecretValue({
    secret: kplus.Secret.fromSecretName(chart, 'database-secret', props.database.secret),
    key: DATABASE_URL_KEY,
  });
  const res = env.resources;
  const resources: kplus.ContainerResources = {
    cpu: { request: kplus.Cpu.millis(res.cpuRequestMillis), limit: kplus.Cpu.millis(res.cpuLimitMillis) },
    memory: { request: Size.mebibytes(res.memoryMiB), limit: Size.mebibytes(res.memoryMiB) },
  };
  const { [NODE_OPTIONS]: declaredNodeOptions, ...declaredEnv } = r.env;
  // Every container here has the memory limit, so each gets a heap limit below it for the node processes it runs.
  // First: kustomize's merge puts the variables an overlay patches (this one, per size) first, and the base agrees.
  const envOf = (workers: number, extra: Record<string, string> = {}): Record<string, kplus.EnvValue> => ({
    ...Object.fromEntries(Object.entries({
      [NODE_OPTIONS]: nodeOptions(declaredNodeOptions, heapLimitMiB(res.memoryMiB, workers)),
      ...declaredEnv,
      ...extra,
    }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
    ...(databaseUrl ? { [DATABASE_URL_KEY]: databaseUrl } : {}),
  });
  const appContainer = {
    image: target.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    securityContext: containerSecurity,
    resources,
  };
  const migrateContainer = (volumeMounts: kplus.VolumeMount[]): kplus.ContainerProps => ({
    ...appContainer,
    name: CONTAINER_NAMES.migrate,
    command: [...(r.migrateCommand ?? [])],
    envVariables: envOf(1),
    volumeMounts,
  });
  const timeoutSeconds = Duration.seconds(r.healthcheck.timeoutS);
  const httpProbe = (path: string, periodS: number, failureThreshold: number) =>
    kplus.Probe.fromHttpGet(path, { port: r.port, periodSeconds: Duration.seconds(periodS), failureThreshold, timeoutSeconds });
  // Pods of the same release and component; a rollout's new ReplicaSet is spread on its own (pod-template-hash).
  const podPatches = (pod: string) => [
    JsonPatch.remove(ADDRESS_LABEL_PATH),
    // cdk8s-plus has no pod-level seccomp profile.
    JsonPatch.add(`${pod}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    ...(props.imagePullSecrets.length ? [JsonPatch.add(`${pod}/imagePullSecrets`, props.imagePullSecrets.map((s) => ({ name: s })))] : []),
  ];

  const serviceAccount = new kplus.ServiceAccount(chart, 'service-account', {
    metadata: metadataOf(name, CONTAINER_NAMES.api),
    // The app never calls the Kubernetes API: no token in its pods, and none to steal.
    automountToken: false,
  });

  const apiSelector = selectorOf(r, CONTAINER_NAMES.api);
  const apiMounts = tmpfsMounts('api');
  const deployment = new kplus.Deployment(chart, 'deployment', {
    metadata: metadataOf(name, CONTAINER_NAMES.api),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    select: false,
    podMetadata: {
      labels: labelsOf(CONTAINER_NAMES.api),
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
    securityContext: podSecurity,
    terminationGracePeriod: Duration.seconds(terminationGracePeriodSeconds(r)),
    // The release's migration runs before this release's app starts, in every pod (docs/decisions/0006).
    initContainers: r.migrateCommand ? [migrateContainer(apiMounts)] : [],
    containers: [{
      ...appContainer,
      name: CONTAINER_NAMES.api,
      ports: [{ number: r.port, name: 'http' }],
      envVariables: envOf(POD_WORKERS, { WEB_CONCURRENCY: String(POD_WORKERS) }),
      volumeMounts: apiMounts,
      // No probe asks the database: an outage it shares with every pod must neither take them all out
      // of the Service (docs/decisions/0005) nor restart them. Readiness asks healthPath only if no liveness path is declared.
      readiness: httpProbe(r.livenessPath ?? r.healthPath, READINESS.periodS, READINESS.failureThreshold),
      ...(r.livenessPath ? {
        liveness: httpProbe(r.livenessPath, LIVENESS.periodS, LIVENESS.failureThreshold),
        startup: httpProbe(r.livenessPath, STARTUP_PERIOD_S, Math.ceil(r.healthcheck.startPeriodS / STARTUP_PERIOD_S)),
      } : {}),
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: apiSelector }));
  const deploymentObject = ApiObject.of(deployment);
  deploymentObject.addJsonPatch(
    // The HPA owns the count: a `replicas` here would fight it on every sync (server-side apply,
    // Argo CD, Flux). A new Deployment starts one pod and the HPA raises it to its floor at once.
    JsonPatch.remove('/spec/replicas'),
    ...podPatches('/spec/template/spec'),
    JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spreadConstraints(apiSelector)),
    // cdk8s-plus has not the kubelet's sleep action: no binary in the image needed.
    JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: PRE_STOP_SLEEP_S } } }),
  );

  const service = new kplus.Service(chart, 'service', {
    metadata: metadataOf(name, CONTAINER_NAMES.api),
    ports: [{ name: 'http', port: r.port, targetPort: r.port }],
  });
  for (const [key, value] of Object.entries(apiSelector)) service.selectLabel(key, value);

  new kplus.k8s.KubePodDisruptionBudget(chart, 'pdb', {
    metadata: metadataOf(name, CONTAINER_NAMES.api),
    spec: {
      // One pod at a time at any scale the HPA chose: at its floor (the declared workers plus a
      // spare) the declared capacity stays, and the hostname spread keeps one pod per node.
      maxUnavailable: kplus.k8s.IntOrString.fromNumber(PDB_MAX_UNAVAILABLE),
      selector: { matchLabels: apiSelector },
      // Pods that are not ready (the database is down) serve nothing; a drain may take them.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });

  new kplus.HorizontalPodAutoscaler(chart, 'hpa', {
    metadata: metadataOf(name, CONTAINER_NAMES.api),
    target: deployment,
    minReplicas: env.minReplicas,
    maxReplicas: env.maxReplicas,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(HPA_CPU_UTILIZATION))],
  });

  // Both the API's pods and the migration's: neither needs more than this.
  new ApiObject(chart, 'network-policy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...metadataOf(name, CONTAINER_NAMES.api), labels: { ...labelsOf(CONTAINER_NAMES.api), 'app.kubernetes.io/component': 'network' } },
    spec: networkPolicySpec(r, props, { 'app.kubernetes.io/name': name }),
  });

  if (r.migrateCommand) {
    const job = new kplus.Job(chart, 'migrate', {
      metadata: metadataOf(migrateJobName(r, target.version), CONTAINER_NAMES.migrate, { ...MIGRATE_HOOK_ANNOTATIONS }),
      podMetadata: { labels: labelsOf(CONTAINER_NAMES.migrate) },
      backoffLimit: MIGRATE_BACKOFF_LIMIT,
      activeDeadline: Duration.seconds(MIGRATE_DEADLINE_S),
      ttlAfterFinished: Duration.seconds(MIGRATE_TTL_S),
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: podSecurity,
      containers: [migrateContainer(tmpfsMounts('migrate'))],
    });
    ApiObject.of(job).addJsonPatch(...podPatches('/spec/template/spec'));
  }

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

