import {
  DEFAULT_DATABASE_TO, DEFAULT_INGRESS_FROM, DEFAULT_METRICS_FROM, HPA_MAX_FACTOR, MIN_REPLICAS, POD_RESOURCES, POD_WORKERS,
  POSTGRES_PORT, PRODUCTION, STAGING, STAGING_POD_RESOURCES,
} from './defaults';
import { HEAP_SHARE, heapLimitMiB, MIN_HEAP_MIB } from './heap-limit';
import type { ResolvedContainer } from '../container';
import { check, checkInt, fail, port, repository } from '../container/validation';

/**
 * One side of a NetworkPolicy rule: an IP range, or pods chosen by
 * namespace and labels. `namespace` alone means every pod there;
 * `podLabels` alone means those pods of the app's own namespace.
 */
/** Where the manifests go unless the props say otherwise. */
export const DEFAULT_KUBERNETES_OUTDIR = 'deploy/kubernetes';

export interface NetworkPeer {
  /**
   * An IP range, e.g. a managed database's subnet `10.20.0.0/24`.
   * @default - none: pods, by `namespace` and `podLabels`
   */
  readonly cidr?: string;
  /**
   * The namespace's name (its `kubernetes.io/metadata.name` label).
   * @default - the app's own namespace
   */
  readonly namespace?: string;
  /**
   * Labels the pods must carry.
   * @default - every pod of the namespace
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Requests and limits of one single-worker pod. */
export interface PodResources {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  /**
   * Request and limit alike: a pod is never OOM-killed for using what it asked for.
   * Each container's V8 heap is limited to a share of it (heap-limit.ts).
   */
  readonly memoryMiB: number;
}

/** What an overlay changes for its environment. */
export interface KubernetesEnvironmentProps {
  /**
   * The HPA's floor; the PodDisruptionBudget keeps one fewer available.
   * @default - production: the declared workers as one-worker pods, plus a spare; others: MIN_REPLICAS
   */
  readonly minReplicas?: number;
  /**
   * The HPA's ceiling.
   * @default - production: HPA_MAX_FACTOR times its floor; others: production's floor, enough to rehearse its load
   */
  readonly maxReplicas?: number;
  /**
   * @default - production: POD_RESOURCES; others: STAGING_POD_RESOURCES
   */
  readonly resources?: PodResources;
  /**
   * @default - the manifests' namespace
   */
  readonly namespace?: string;
}

export interface KubernetesManifestsProps {
  /**
   * The registry repository kustomize points the image at; each overlay pins
   * its release's digest.
   * @default - `ghcr.io/<owner>/<repo>` of the image's source URL, where the container workflow publishes
   */
  readonly registryImage?: string;
  /**
   * The namespace of every object.
   * @default - none: the namespace of the kubectl context that applies them
   */
  readonly namespace?: string;
  /**
   * Secrets (type `kubernetes.io/dockerconfigjson`, created out of band) the
   * pods pull the image with: a private registry needs one.
   * @default - none: the registry serves the image without credentials
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * `app.kubernetes.io/part-of`: the application the API belongs to.
   * @default - the objects' name (see `ResolvedKubernetesProps.name`)
   */
  readonly partOf?: string;
  /**
   * Who may connect to the app's port: the ingress controller.
   * @default DEFAULT_INGRESS_FROM - the `ingress-nginx` namespace only
   */
  readonly ingressFrom?: readonly NetworkPeer[];
  /**
   * Who may scrape the metrics path (on the app's port); only for an image that declares `metricsPath`.
   * @default DEFAULT_METRICS_FROM - the `monitoring` namespace only
   */
  readonly metricsFrom?: readonly NetworkPeer[];
  /**
   * Where the database is: the one egress besides the cluster DNS; only for an image that declares `database`.
   * @default DEFAULT_DATABASE_TO - PostgreSQL pods (`app.kubernetes.io/name: postgresql`) of the app's namespace
   */
  readonly databaseTo?: readonly NetworkPeer[];
  /**
   * The database's TCP port; only for an image that declares `database`.
   * @default POSTGRES_PORT - PostgreSQL's default
   */
  readonly databasePort?: number;
  /**
   * The Secret (created out of band, never in git) whose `DATABASE_URL` key the pods read; only for an
   * image that declares `database`.
   * @default - `<name>-database`, `<name>` being the objects' name (see `ResolvedKubernetesProps.name`)
   */
  readonly databaseSecret?: string;
  /**
   * The overlays, by name; `production` is required (verify's pod check renders it).
   * @default - `staging` and `production`, each with its defaults
   */
  readonly environments?: Readonly<Record<string, KubernetesEnvironmentProps>>;
  /**
   * Folder of `base/` and `overlays/`.
   * @default 'deploy/kubernetes'
   */
  readonly outdir?: string;
}

/** An environment with every default applied. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly resources: PodResources;
  readonly namespace?: string;
}

/** The props with every default applied, validated. */
export interface ResolvedKubernetesProps {
  /**
   * The app's name in the cluster: its objects' names, the migration Job's prefix and the
   * `app.kubernetes.io/name` label. The image name's last path component, its separators turned into dashes.
   */
  readonly name: string;
  readonly registryImage: string;
  readonly namespace?: string;
  readonly imagePullSecrets: readonly string[];
  readonly partOf: string;
  readonly ingressFrom: readonly NetworkPeer[];
  /** None when the image declares no metrics path. */
  readonly metricsFrom: readonly NetworkPeer[];
  /** Where the pods reach the database, when the image declares one. */
  readonly database?: ResolvedDatabase;
  readonly environments: readonly ResolvedEnvironment[];
  readonly outdir: string;
}

/** The database's peers, port and Secret, validated. */
export interface ResolvedDatabase {
  readonly to: readonly NetworkPeer[];
  readonly port: number;
  readonly secret: string;
}

const C = 'KubernetesManifests';
/** A DNS label: namespaces, Secret names, environment names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An RFC 1035 label, as a Service's name must be; every object of the app shares its name. */
const RFC_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

function checkName(field: string, value: string): string {
  if (!DNS_LABEL.test(value)) fail(C, field, 'must be a DNS label (lowercase letters, digits, dashes)', value);
  return value;
}

function checkPeers(field: string, peers: readonly NetworkPeer[]): readonly NetworkPeer[] {
  peers.forEach((p, i) => {
    const at = `${field}[${i}]`;
    if (p.cidr !== undefined) {
      if (!CIDR.test(p.cidr)) fail(C, `${at}.cidr`, 'must be an IPv4 or IPv6 CIDR', p.cidr);
      if (p.namespace !== undefined || p.podLabels !== undefined) fail(C, at, 'must be a cidr or selectors, not both', p);
    } else if (p.namespace === undefined && p.podLabels === undefined) {
      fail(C, at, 'must name a cidr, a namespace or podLabels', p);
    }
    if (p.namespace !== undefined) checkName(`${at}.namespace`, p.namespace);
  });
  return peers;
}

/** How many pods, and how low voluntary disruptions may take them. */
export interface Capacity {
  /** The declared workers, as single-worker pods: the capacity the service was sized for. */
  readonly baseline: number;
  /** The baseline plus one spare: a drain or a rollout never drops below the baseline. */
  readonly replicas: number;
}

/** The declared workers become that many one-worker pods, plus one. Pure. */
export function capacity(r: Pick<ResolvedContainer, 'workers'>): Capacity {
  const baseline = Math.ceil(r.workers / POD_WORKERS);
  return { baseline, replicas: Math.max(MIN_REPLICAS, baseline + 1) };
}

/** Production's defaults come from the declaration; the other environments' from the constants. */
function resolveEnvironment(r: ResolvedContainer, name: string, e: KubernetesEnvironmentProps, namespace?: string): ResolvedEnvironment {
  checkName(`environments.${name}`, name);
  const productionFloor = capacity(r).replicas;
  const production = name === PRODUCTION;
  const minReplicas = checkInt(C, `environments.${name}.minReplicas`, e.minReplicas ?? (production ? productionFloor : MIN_REPLICAS), 1, 1000);
  const maxDefault = production ? minReplicas * HPA_MAX_FACTOR : Math.max(minReplicas, productionFloor);
  const maxReplicas = checkInt(C, `environments.${name}.maxReplicas`, e.maxReplicas ?? maxDefault, minReplicas, 1000);
  const resources = e.resources ?? (production ? POD_RESOURCES : STAGING_POD_RESOURCES);
  for (const [k, v] of Object.entries(resources)) checkInt(C, `environments.${name}.resources.${k}`, v, 1, 1_000_000);
  if (resources.cpuLimitMillis < resources.cpuRequestMillis) {
    fail(C, `environments.${name}.resources.cpuLimitMillis`, `must be at least cpuRequestMillis (${resources.cpuRequestMillis})`, resources.cpuLimitMillis);
  }
  const heapMiB = heapLimitMiB(resources.memoryMiB, POD_WORKERS);
  if (heapMiB < MIN_HEAP_MIB) {
    fail(C, `environments.${name}.resources.memoryMiB`, `must leave each of the pod's ${POD_WORKERS} worker(s) a heap of at least ${MIN_HEAP_MIB} MiB `
      + `(${HEAP_SHARE * 100} % of the limit goes to heaps), leaves ${heapMiB} MiB`, resources.memoryMiB);
  }
  const ns = e.namespace ?? namespace;
  return { name, minReplicas, maxReplicas, resources, ...(ns ? { namespace: checkName(`environments.${name}.namespace`, ns) } : {}) };
}

const DEFAULT_ENVIRONMENTS: Readonly<Record<string, KubernetesEnvironmentProps>> = { [STAGING]: {}, [PRODUCTION]: {} };

/** The environments' names, from the props alone: known at construction, unlike everything the image's model decides. Pure. */
export function environmentNames(props: KubernetesManifestsProps): string[] {
  return Object.keys(props.environments ?? DEFAULT_ENVIRONMENTS);
}

/**
 * The image name's last path component with each run of separators (`.`, `_`, `__`, dashes) one dash:
 * `acme/my_api.v2` is `my-api-v2`. An image name may start with a digit or outgrow a label; that fails.
 */
function kubernetesName(imageName: string): string {
  const name = imageName.slice(imageName.lastIndexOf('/') + 1).replace(/[._-]+/g, '-');
  if (!RFC_1035_LABEL.test(name)) {
    fail(C, 'imageName', 'must end in a path component that, its separators made dashes, is an RFC 1035 label '
      + '(a letter first, at most 63 characters): the name of its Kubernetes objects', imageName);
  }
  return name;
}

/** Applies the defaults; throws naming the field and the value. Pure. */
export function resolveKubernetesProps(r: ResolvedContainer, props: KubernetesManifestsProps = {}): ResolvedKubernetesProps {
  const name = kubernetesName(r.imageName);
  const namespace = props.namespace === undefined ? undefined : checkName('namespace', props.namespace);
  if (!r.metricsPath) refuseUndeclared(props, ['metricsFrom'], 'metricsPath');
  if (!r.database) refuseUndeclared(props, ['databaseTo', 'databasePort', 'databaseSecret'], 'database');
  const environments = props.environments ?? DEFAULT_ENVIRONMENTS;
  if (!(PRODUCTION in environments)) fail(C, 'environments', `must include "${PRODUCTION}": verify's pod check runs its Deployment`, Object.keys(environments));
  return {
    name,
    registryImage: check(C, 'registryImage', repository, props.registryImage ?? ghcrImage(r.sourceUrl)),
    ...(namespace ? { namespace } : {}),
    imagePullSecrets: (props.imagePullSecrets ?? []).map((s, i) => checkName(`imagePullSecrets[${i}]`, s)),
    partOf: props.partOf ?? name,
    ingressFrom: checkPeers('ingressFrom', props.ingressFrom ?? DEFAULT_INGRESS_FROM),
    metricsFrom: r.metricsPath ? checkPeers('metricsFrom', props.metricsFrom ?? DEFAULT_METRICS_FROM) : [],
    ...(r.database ? { database: resolveDatabase(props, name) } : {}),
    environments: Object.entries(environments).map(([envName, e]) => resolveEnvironment(r, envName, e, namespace)),
    outdir: props.outdir ?? DEFAULT_KUBERNETES_OUTDIR,
  };
}

/** The database's peers, port and Secret, with their defaults. */
function resolveDatabase(props: KubernetesManifestsProps, name: string): ResolvedDatabase {
  const to = checkPeers('databaseTo', props.databaseTo ?? DEFAULT_DATABASE_TO);
  if (to.length === 0) fail(C, 'databaseTo', 'must name at least one destination: the app cannot serve without its database', to);
  return {
    to,
    port: check(C, 'databasePort', port, props.databasePort ?? POSTGRES_PORT),
    secret: checkName('databaseSecret', props.databaseSecret ?? `${name}-database`),
  };
}

/** Props about what the image does not declare are refused, not ignored. */
function refuseUndeclared(props: KubernetesManifestsProps, fields: readonly (keyof KubernetesManifestsProps)[], declaration: string): void {
  for (const field of fields) if (props[field] !== undefined) fail(C, field, `needs the image to declare ${declaration}`, props[field]);
}

/** `ghcr.io/<owner>/<repo>`, lowercased as the container workflow does for GHCR. */
function ghcrImage(sourceUrl: string | undefined): string {
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(sourceUrl ?? '');
  if (!m) fail(C, 'registryImage', 'must be set when the source URL is not a GitHub repository', sourceUrl);
  return `ghcr.io/${m[1]}/${m[2]}`.toLowerCase();
}
