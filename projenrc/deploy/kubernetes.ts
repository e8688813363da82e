import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Component, YamlFile } from 'projen';
import {
  CONTAINER_NAMES, DATABASE_URL_KEY, HPA_CPU_UTILIZATION, HPA_MAX_FACTOR, LIVENESS, MIGRATE_BACKOFF_LIMIT,
  MIGRATE_DEADLINE_S, MIGRATE_TTL_S, MIN_REPLICAS, PLACEHOLDER_DIGEST, POD_RESOURCES, POD_WORKERS, POSTGRES_PORT,
  PRE_STOP_SLEEP_S, READINESS, STARTUP_PERIOD_S, TERMINATION_SLACK_S,
} from './defaults';
import { checkInt, checkRepository, fail } from './validation';
import type { ContainerImage, ResolvedContainer } from '../container';

/** A Kubernetes object as JSON, as `kubectl apply` reads it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** One file per object under the output folder, in the order kustomize lists them. */
export const MANIFEST_FILES = {
  deployment: 'deployment.yaml',
  service: 'service.yaml',
  podDisruptionBudget: 'pod-disruption-budget.yaml',
  horizontalPodAutoscaler: 'horizontal-pod-autoscaler.yaml',
  networkPolicy: 'network-policy.yaml',
  migrateJob: 'migrate-job.yaml',
} as const;
export type ManifestName = keyof typeof MANIFEST_FILES;
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

export interface KubernetesManifestsProps {
  /**
   * The registry repository kustomize points the image at; the deploy sets
   * the digest (`kustomize edit set image`).
   * @default - `ghcr.io/<owner>/<repo>` of the image's source URL, where the container workflow publishes
   */
  readonly registryImage?: string;
  /**
   * The database's TCP port: the one egress the NetworkPolicy allows besides DNS.
   * @default POSTGRES_PORT - PostgreSQL's default
   */
  readonly databasePort?: number;
  /**
   * The Secret (created out of band, never in git) whose `DATABASE_URL` key the pods read.
   * @default - `<imageName>-database`
   */
  readonly databaseSecret?: string;
  /**
   * Folder of the manifests and `kustomization.yaml`.
   * @default 'deploy/kubernetes'
   */
  readonly outdir?: string;
}

/** The props with every default applied, validated. */
export interface ResolvedKubernetesProps {
  readonly registryImage: string;
  readonly databasePort: number;
  readonly databaseSecret: string;
  readonly outdir: string;
}

/** Applies the defaults; throws naming the field and the value. Pure. */
export function resolveKubernetesProps(r: ResolvedContainer, props: KubernetesManifestsProps = {}): ResolvedKubernetesProps {
  return {
    registryImage: checkRepository('registryImage', props.registryImage ?? ghcrImage(r.sourceUrl)),
    databasePort: checkInt('KubernetesManifests', 'databasePort', props.databasePort ?? POSTGRES_PORT, 1, 65535),
    databaseSecret: props.databaseSecret ?? `${r.imageName}-database`,
    outdir: props.outdir ?? 'deploy/kubernetes',
  };
}

/** `ghcr.io/<owner>/<repo>`, lowercased as the container workflow does for GHCR. */
function ghcrImage(sourceUrl: string | undefined): string {
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(sourceUrl ?? '');
  if (!m) fail('KubernetesManifests', 'registryImage', 'must be set when the source URL is not a GitHub repository', sourceUrl);
  return `ghcr.io/${m[1]}/${m[2]}`.toLowerCase();
}

/** How many pods, and how low voluntary disruptions may take them. */
export interface Capacity {
  /** The declared workers, as single-worker pods: the capacity the service was sized for. */
  readonly baseline: number;
  /** The baseline plus one spare: a drain or a rollout never drops below the baseline. */
  readonly replicas: number;
  readonly maxReplicas: number;
}

/** The declared workers become that many one-worker pods, plus one. Pure. */
export function capacity(r: ResolvedContainer): Capacity {
  const baseline = Math.ceil(r.workers / POD_WORKERS);
  const replicas = Math.max(MIN_REPLICAS, baseline + 1);
  return { baseline, replicas, maxReplicas: replicas * HPA_MAX_FACTOR };
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

const labelsOf = (r: ResolvedContainer, component: string) => ({
  'app.kubernetes.io/name': r.imageName,
  'app.kubernetes.io/component': component,
});

/**
 * Every manifest of the deploy, by file, rendered in memory with cdk8s-plus
 * from the resolved declaration. Pure: no file is written.
 */
export function renderKubernetes(r: ResolvedContainer, props: ResolvedKubernetesProps): Record<string, KubeObject> {
  const chart = new Chart(new App(), 'deploy', { disableResourceNameHashes: true });
  const name = r.imageName;
  const h = r.hardened;

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
  const databaseUrl = kplus.EnvValue.fromSecretValue({
    secret: kplus.Secret.fromSecretName(chart, 'database-secret', props.databaseSecret),
    key: DATABASE_URL_KEY,
  });
  const env = (extra: Record<string, string>): Record<string, kplus.EnvValue> => ({
    ...Object.fromEntries(Object.entries({ ...r.env, ...extra }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
    [DATABASE_URL_KEY]: databaseUrl,
  });
  const resources: kplus.ContainerResources = {
    cpu: { request: kplus.Cpu.millis(POD_RESOURCES.cpuRequestMillis), limit: kplus.Cpu.millis(POD_RESOURCES.cpuLimitMillis) },
    memory: { request: Size.mebibytes(POD_RESOURCES.memoryMiB), limit: Size.mebibytes(POD_RESOURCES.memoryMiB) },
  };
  const appContainer = {
    // kustomization.yaml maps this name to the registry image by digest.
    image: r.imageName,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    securityContext: containerSecurity,
    resources,
  };
  const timeoutSeconds = Duration.seconds(r.healthcheck.timeoutS);
  const httpProbe = (path: string, periodS: number, failureThreshold: number) =>
    kplus.Probe.fromHttpGet(path, { port: r.port, periodSeconds: Duration.seconds(periodS), failureThreshold, timeoutSeconds });

  const { baseline, replicas, maxReplicas } = capacity(r);
  const apiLabels = labelsOf(r, CONTAINER_NAMES.api);
  const deployment = new kplus.Deployment(chart, 'deployment', {
    metadata: { name, labels: apiLabels },
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    select: false,
    podMetadata: { labels: apiLabels },
    automountServiceAccountToken: false,
    securityContext: podSecurity,
    terminationGracePeriod: Duration.seconds(terminationGracePeriodSeconds(r)),
    containers: [{
      ...appContainer,
      name: CONTAINER_NAMES.api,
      ports: [{ number: r.port, name: 'http' }],
      envVariables: env({ WEB_CONCURRENCY: String(POD_WORKERS) }),
      volumeMounts: tmpfsMounts('api'),
      // No probe asks the database: an outage it shares with every pod must neither take them all out
      // of the Service (docs/decisions/0005) nor restart them. Readiness asks healthPath only if no liveness path is declared.
      readiness: httpProbe(r.livenessPath ?? r.healthPath, READINESS.periodS, READINESS.failureThreshold),
      ...(r.livenessPath ? {
        liveness: httpProbe(r.livenessPath, LIVENESS.periodS, LIVENESS.failureThreshold),
        startup: httpProbe(r.livenessPath, STARTUP_PERIOD_S, Math.ceil(r.healthcheck.startPeriodS / STARTUP_PERIOD_S)),
      } : {}),
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: apiLabels }));
  const deploymentObject = ApiObject.of(deployment);
  // cdk8s-plus has neither a pod-level seccomp profile nor the kubelet's sleep action. And it refuses
  // `replicas` beside an HPA; we set it anyway: without it the first apply (or a cluster without
  // metrics-server) runs one pod, and client-side `kubectl apply` leaves the HPA's count alone while
  // this value does not change.
  deploymentObject.addJsonPatch(
    JsonPatch.add('/spec/replicas', replicas),
    JsonPatch.remove(ADDRESS_LABEL_PATH),
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: PRE_STOP_SLEEP_S } } }),
  );

  const service = new kplus.Service(chart, 'service', {
    metadata: { name, labels: apiLabels },
    ports: [{ name: 'http', port: r.port, targetPort: r.port }],
  });
  for (const [key, value] of Object.entries(apiLabels)) service.selectLabel(key, value);

  new kplus.k8s.KubePodDisruptionBudget(chart, 'pdb', {
    metadata: { name, labels: apiLabels },
    spec: {
      // Voluntary disruptions (drains) take one spare at a time, never the declared capacity.
      minAvailable: kplus.k8s.IntOrString.fromNumber(baseline),
      selector: { matchLabels: apiLabels },
      // Pods that are not ready (the database is down) serve nothing; a drain may take them.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });

  new kplus.HorizontalPodAutoscaler(chart, 'hpa', {
    metadata: { name, labels: apiLabels },
    target: deployment,
    minReplicas: replicas,
    maxReplicas,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(HPA_CPU_UTILIZATION))],
  });

  // Both the API's pods and the migration's: neither needs more than this.
  new kplus.k8s.KubeNetworkPolicy(chart, 'network-policy', {
    metadata: { name, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
      policyTypes: ['Ingress', 'Egress'],
      // No `from`: clients may be pods or an ingress controller anywhere; the port is the restriction.
      ingress: [{ ports: [{ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(r.port) }] }],
      // No `to`: cluster DNS may be kube-dns or a node-local cache, and the database may live outside.
      egress: [
        { ports: [53].flatMap((port) => ['UDP', 'TCP'].map((protocol) => ({ protocol, port: kplus.k8s.IntOrString.fromNumber(port) }))) },
        { ports: [{ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(props.databasePort) }] },
      ],
    },
  });

  if (r.migrateCommand) {
    const migrateLabels = labelsOf(r, CONTAINER_NAMES.migrate);
    const job = new kplus.Job(chart, 'migrate', {
      metadata: { name: `${name}-migrate`, labels: migrateLabels },
      podMetadata: { labels: migrateLabels },
      backoffLimit: MIGRATE_BACKOFF_LIMIT,
      activeDeadline: Duration.seconds(MIGRATE_DEADLINE_S),
      ttlAfterFinished: Duration.seconds(MIGRATE_TTL_S),
      automountServiceAccountToken: false,
      securityContext: podSecurity,
      containers: [{
        ...appContainer,
        name: CONTAINER_NAMES.migrate,
        command: [...r.migrateCommand],
        envVariables: env({}),
        volumeMounts: tmpfsMounts('migrate'),
      }],
    });
    ApiObject.of(job).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.remove(ADDRESS_LABEL_PATH),
    );
  }

  const byKind: Record<string, ManifestName> = {
    Deployment: 'deployment',
    Service: 'service',
    PodDisruptionBudget: 'podDisruptionBudget',
    HorizontalPodAutoscaler: 'horizontalPodAutoscaler',
    NetworkPolicy: 'networkPolicy',
    Job: 'migrateJob',
  };
  const rendered = chart.toJson() as KubeObject[];
  const files: Record<string, KubeObject> = {};
  for (const key of Object.keys(MANIFEST_FILES) as ManifestName[]) {
    const obj = rendered.find((o) => byKind[o.kind] === key);
    if (obj) files[MANIFEST_FILES[key]] = obj;
  }
  return files;
}

/** `kustomization.yaml`: the manifests, and the image by digest. Pure. */
export function renderKustomization(r: ResolvedContainer, props: ResolvedKubernetesProps, files: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files],
    images: [{ name: r.imageName, newName: props.registryImage, digest: PLACEHOLDER_DIGEST }],
  };
}

/**
 * `deploy/kubernetes/`: the Deployment, Service, PodDisruptionBudget, HPA,
 * NetworkPolicy and migration Job, rendered with cdk8s-plus in-process and
 * written through projen's `YamlFile` (marker, files.json), plus the
 * kustomization that pins the image by digest.
 */
export class KubernetesManifests extends Component {
  public readonly files: Readonly<Record<string, YamlFile>>;
  public readonly kustomization: YamlFile;
  private rendered?: Record<string, KubeObject>;

  constructor(private readonly image: ContainerImage, private readonly props: KubernetesManifestsProps = {}) {
    super(image.project);
    const outdir = props.outdir ?? 'deploy/kubernetes';
    const files: Record<string, YamlFile> = {};
    // The file set is fixed by whether the app migrates; their content is rendered at synthesis.
    const names = Object.values(MANIFEST_FILES).filter((f) => f !== MANIFEST_FILES.migrateJob || image.resolved.migrateCommand);
    for (const file of names) {
      files[file] = new YamlFile(image.project, `${outdir}/${file}`, { obj: () => this.manifests[file] });
    }
    this.files = files;
    this.kustomization = new YamlFile(image.project, `${outdir}/${KUSTOMIZATION_FILE}`, {
      obj: () => renderKustomization(this.image.resolved, this.resolvedProps, names),
    });
    // Verify runs the real image as this Deployment runs it, reading the settings from the file, not from here.
    image.addCheck('runtime', {
      name: 'pod',
      title: 'run with the Deployment\'s own user, read-only root, emptyDir, capabilities and env, and the database '
        + 'unreachable: startup, readiness and liveness probes pass (docs/decisions/0005), and it stops within the grace period',
      kind: 'pod',
      manifest: `${outdir}/${MANIFEST_FILES.deployment}`,
    });
  }

  public get resolvedProps(): ResolvedKubernetesProps {
    return resolveKubernetesProps(this.image.resolved, this.props);
  }

  /** Every manifest by file name, rendered once per synthesis. */
  public get manifests(): Record<string, KubeObject> {
    this.rendered ??= renderKubernetes(this.image.resolved, this.resolvedProps);
    return this.rendered;
  }

  public preSynthesize(): void {
    // The declaration is final now: render from it, not from what construction saw.
    this.rendered = undefined;
  }
}
