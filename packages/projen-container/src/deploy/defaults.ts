/** The deploy components' defaults, one named constant each. */

/** PostgreSQL for local development: the one declaration, which the workflows' service also runs and Renovate watches. */
export { POSTGRES_IMAGE } from '../github/postgres-service';
/** Where `postgres:17` keeps its cluster; the named volume mounts here. */
export const POSTGRES_DATA_DIR = '/var/lib/postgresql/data';
/** PostgreSQL's port, inside the compose network and, by default, in the cluster: the workflows' service's. */
export { POSTGRES_PORT } from '../github/postgres-service';
/**
 * `pg_isready` over TCP, not the socket: during first-start initialisation the
 * image runs a temporary server that listens on the socket only, so a socket
 * probe would call it ready just before it restarts.
 */
export const POSTGRES_HEALTH = { intervalS: 2, timeoutS: 3, retries: 30, startPeriodS: 5 } as const;

/** How often compose checks the api's health: healthy within about this long of its start. */
export const COMPOSE_API_HEALTH_INTERVAL_S = 2;
/** Publish the API and PostgreSQL on loopback only: a development server is not for the LAN. */
export const COMPOSE_PUBLISH_HOST = '127.0.0.1';

/**
 * Pods run one worker each: the orchestrator scales processes (HPA) and
 * restarts them (liveness), which node's cluster would otherwise hide inside
 * one pod, and a pod's CPU is then one process's CPU.
 */
export const POD_WORKERS = 1;
/**
 * Requests and limits of one single-worker pod. One JS thread cannot use much
 * more than a core, so a 1-core limit rarely throttles; memory request equals
 * its limit, so the pod is never OOM-killed for using what it asked for.
 */
export const POD_RESOURCES = { cpuRequestMillis: 500, cpuLimitMillis: 1000, memoryMiB: 256 } as const;
/**
 * Staging's pods: half production's CPU (staging measures behaviour, not
 * capacity), the same memory, since a node process needs what it needs.
 */
export const STAGING_POD_RESOURCES = { cpuRequestMillis: 250, cpuLimitMillis: 500, memoryMiB: 256 } as const;
/** Never fewer pods than this, whatever the declaration says: one node or pod can always go. */
export const MIN_REPLICAS = 2;
/** The overlay verify's pod check renders, and the one the docs deploy first. */
export const PRODUCTION = 'production';
export const STAGING = 'staging';
/** `app.kubernetes.io/managed-by`: the tool that applies the objects (`kubectl apply -k`). */
export const MANAGED_BY = 'kustomize';
/**
 * Who may open a connection to the app's port: the ingress controller's
 * namespace (ingress-nginx's chart installs into `ingress-nginx`), nothing
 * else, not even the app's own namespace.
 */
export const DEFAULT_INGRESS_FROM = [{ namespace: 'ingress-nginx' }] as const;
/** Who scrapes the metrics path: Prometheus in `monitoring` (kube-prometheus-stack's namespace). */
export const DEFAULT_METRICS_FROM = [{ namespace: 'monitoring' }] as const;
/**
 * Where the database is: PostgreSQL pods of the app's own namespace, labelled
 * as the common PostgreSQL charts label them. Nothing outside the namespace
 * until a CIDR or selector is declared.
 */
export const DEFAULT_DATABASE_TO = [{ podLabels: { 'app.kubernetes.io/name': 'postgresql' } }] as const;
/** The cluster DNS: kube-dns (CoreDNS keeps the label) in kube-system, the only DNS egress allowed. */
export const CLUSTER_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } as const;
/** DNS's port, over UDP and TCP: the cluster DNS's egress rule and its row in the docs. */
export const DNS_PORT = 53;
/**
 * Argo CD runs the migration Job before it syncs anything else of a release
 * and deletes the previous run first; kubectl ignores these, and the init
 * container keeps the order there (docs/decisions/0006).
 */
export const MIGRATE_HOOK_ANNOTATIONS = {
  'argocd.argoproj.io/hook': 'PreSync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
} as const;
/** Voluntary disruptions (drains) take one pod at a time. */
export const PDB_MAX_UNAVAILABLE = 1;
/** Pod spread: at most this many more pods in one zone or on one node than in the emptiest. */
export const SPREAD_MAX_SKEW = 1;
/**
 * The HPA may grow to this many times its minimum. Each pod holds up to the
 * app's `database.poolMax` (5) connections; 3 x (workers + 1) pods stay well
 * under PostgreSQL's default 100 `max_connections` for up to 5 declared workers.
 */
export const HPA_MAX_FACTOR = 3;
/** Scale out when the pods use more than this share of their CPU request. */
export const HPA_CPU_UTILIZATION = 70;
/**
 * After SIGTERM's delivery is decided, keep serving this long: endpoints and
 * load balancers learn of a terminating pod asynchronously, and requests still
 * arrive meanwhile. The kubelet's own `sleep` action: no binary in the image.
 */
export const PRE_STOP_SLEEP_S = 5;
/** Slack after the app's shutdown timeout before the kubelet's SIGKILL. */
export const TERMINATION_SLACK_S = 2;
/** Readiness: every 5 s, out of the Service after two misses. */
export const READINESS = { periodS: 5, failureThreshold: 2 } as const;
/** Liveness: every 10 s, restarted after 30 s without an answer. */
export const LIVENESS = { periodS: 10, failureThreshold: 3 } as const;
/** Startup: every 2 s, for as long as the image's HEALTHCHECK start period. */
export const STARTUP_PERIOD_S = 2;
/** A retry covers a database failover mid-migration; each migration runs in a transaction. */
export const MIGRATE_BACKOFF_LIMIT = 2;
/** A migration that runs longer than this is stuck (a lock), not slow. */
export const MIGRATE_DEADLINE_S = 600;
/** Keep a finished Job a day for its logs; its name is the release's, so nothing waits for it to go. */
export const MIGRATE_TTL_S = 86_400;
/**
 * The digest the base, and an overlay without a release, ship with: valid,
 * so every manifest validates, and never pullable, so applying an overlay
 * whose release was never recorded ({@link RELEASES_FILE}) stalls in
 * ImagePullBackOff while the old pods keep serving (maxUnavailable 0),
 * instead of running something else.
 */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
/** The task that records a release; the docs call it by this name. */
export const DEPLOY_TASKS = { release: 'deploy:release' } as const;
/** Each environment's release (version and digest), written by the deploy, read at synthesis. */
export const RELEASES_FILE = 'deploy/releases.json';
/** The key of the Secret (created out of band, never committed) that holds the database's URL: the variable the app reads. */
export { DATABASE_URL_ENV as DATABASE_URL_KEY } from '../container/container-image-props';
/** The app container's name in the Deployment's pods, and the Job's. */
export const CONTAINER_NAMES = { api: 'api', migrate: 'migrate' } as const;
