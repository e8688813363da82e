/** The deploy components' defaults, one named constant each. */

/**
 * PostgreSQL for local development: the major Debian trixie ships (the
 * release the runtime image is built on), on the same Debian release. A tag
 * per major, never `latest`: a new major needs `pg_upgrade` or a dump of the
 * volume, so it must be a deliberate edit. Not 18: its images moved the data
 * directory (and the volume) to `/var/lib/postgresql`, so the volume target is
 * major-specific too ({@link POSTGRES_DATA_DIR}).
 */
export const POSTGRES_IMAGE = 'postgres:17-trixie';
/** Where `postgres:17` keeps its cluster; the named volume mounts here. */
export const POSTGRES_DATA_DIR = '/var/lib/postgresql/data';
/** PostgreSQL's port, inside the compose network and, by default, in the cluster. */
export const POSTGRES_PORT = 5432;
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
/** Never fewer pods than this, whatever the declaration says: one node or pod can always go. */
export const MIN_REPLICAS = 2;
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
/** Keep a finished Job an hour for its logs; then the next deploy can create it again. */
export const MIGRATE_TTL_S = 3600;
/**
 * The digest the kustomization ships with until a deploy sets the real one:
 * valid, so every manifest validates, and never pullable, so a deploy that
 * forgot `kustomize edit set image` stalls in ImagePullBackOff while the old
 * pods keep serving (maxUnavailable 0), instead of running something else.
 */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
/** The Secret (created out of band, never committed) that holds `DATABASE_URL`. */
export const DATABASE_URL_KEY = 'DATABASE_URL';
/** The app container's name in the Deployment's pods, and the Job's. */
export const CONTAINER_NAMES = { api: 'api', migrate: 'migrate' } as const;
