import {
  CLUSTER_DNS, CONTAINER_NAMES, DNS_PORT, DATABASE_URL_KEY, DEPLOY_TASKS, HPA_CPU_UTILIZATION, LIVENESS, MANAGED_BY, MIGRATE_HOOK_ANNOTATIONS,
  PDB_MAX_UNAVAILABLE, PLACEHOLDER_DIGEST, POD_WORKERS, PRE_STOP_SLEEP_S, PRODUCTION, READINESS, RELEASES_FILE, STARTUP_PERIOD_S,
} from './defaults';
import { HEAP_SHARE, MIN_HEAP_MIB, NODE_OPTIONS } from './heap-limit';
import { BASE_DIR, KUSTOMIZATION_FILE, OVERLAYS_DIR, migrateJobName } from './kubernetes';
import type { NetworkPeer, ResolvedKubernetesProps } from './kubernetes-props';
import { capacity } from './kubernetes-props';
import type { Release } from './releases';
import type { KubeObject, ResolvedContainer } from '../container';
import { podRunSettings } from '../container/pod-run-settings';

/** What the Kubernetes half of `docs/deploy.md` states, each from where it is decided. */
export interface KubernetesDocFacts {
  readonly container: ResolvedContainer;
  readonly kubernetes: ResolvedKubernetesProps;
  /** The base's objects by file name. */
  readonly base: Readonly<Record<string, KubeObject>>;
  /** Each environment's objects, as its overlay renders them. */
  readonly environments: Readonly<Record<string, Readonly<Record<string, KubeObject>>>>;
  readonly releases: Readonly<Record<string, Release>>;
}

const code = (s: string | number) => `\`${s}\``;

function describePeer(p: NetworkPeer): string {
  if (p.cidr) return `IP range ${code(p.cidr)}`;
  const pods = p.podLabels ? `pods ${Object.entries(p.podLabels).map(([k, v]) => code(`${k}=${v}`)).join(', ')}` : 'every pod';
  return `${pods} in ${p.namespace ? `namespace ${code(p.namespace)}` : 'the app\'s namespace'}`;
}
const describePeers = (peers: readonly NetworkPeer[]) => (peers.length ? peers.map(describePeer).join('; ') : 'nobody');

/** The `## Kubernetes` section of `docs/deploy.md`, as lines. Pure. */
export function kubernetesDocLines(f: KubernetesDocFacts): string[] {
  const r = f.container;
  const k = f.kubernetes;
  const dir = k.outdir;
  const production = f.environments[PRODUCTION];
  const pod = podRunSettings(production, CONTAINER_NAMES.api);
  const cap = capacity(r);
  const probe = (kind: string) => pod.probes.find((p) => p.kind === kind);
  const overlay = (env: string) => `${dir}/${OVERLAYS_DIR}/${env}`;
  const prod = k.environments.find((e) => e.name === PRODUCTION)!;
  const migrates = r.migrateCommand !== undefined;
  const jobOf = (version: string) => migrateJobName(k, version);
  const release = f.releases[PRODUCTION];
  const probeRows = [
    ['startup', `every ${STARTUP_PERIOD_S} s for the image's ${r.healthcheck.startPeriodS} s start period; liveness waits for it`],
    ['readiness', `every ${READINESS.periodS} s; ${READINESS.failureThreshold} misses take the pod out of the Service`],
    ['liveness', `every ${LIVENESS.periodS} s; ${LIVENESS.failureThreshold} misses restart the container`],
  ].flatMap(([kind, when]) => {
    const p = probe(kind);
    return p ? [`| ${kind} | ${code(`GET ${p.path}`)} on ${p.port} | ${when} |`] : [];
  });
  const apply = (env: string) => `kubectl apply --server-side --field-manager=${k.name} -k ${overlay(env)}`;
  const waitJob = (version: string) => (migrates ? [`kubectl wait --for=condition=complete job/${jobOf(version)} --timeout=10m`] : []);

  return [
    '## Kubernetes',
    '',
    `${code(`${dir}/${BASE_DIR}/`)} holds one manifest per object, rendered with cdk8s-plus, and a ${code(KUSTOMIZATION_FILE)} that lists them `
      + `and points the image ${code(r.imageName)} at ${code(k.registryImage)} with a placeholder digest. `
      + `${code(`${dir}/${OVERLAYS_DIR}/<environment>/`)} is one kustomization per environment over the base: its namespace, its `
      + `release's version label and image digest (from ${code(RELEASES_FILE)}), and one patch per object it sizes. `
      + `Render any of them with ${code(`kubectl kustomize ${overlay(PRODUCTION)}`)}; the tests render each and validate every `
      + 'object against the Kubernetes OpenAPI models and the restricted Pod Security Standard.',
    '',
    '| File | Object |',
    '| --- | --- |',
    ...Object.entries(f.base).map(([file, o]) => `| ${code(`${BASE_DIR}/${file}`)} | ${o.kind} ${code(o.metadata.name)} |`),
    '',
    `| Environment | Namespace | Replicas (HPA) | CPU request / limit | Memory | ${code(NODE_OPTIONS)} | Release |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...k.environments.map((e) => {
      const rel = f.releases[e.name];
      const pinned = rel.digest === PLACEHOLDER_DIGEST ? 'none yet (placeholder digest)' : `${code(rel.version)}, ${code(`${rel.digest.slice(0, 19)}…`)}`;
      return `| ${code(e.name)} | ${e.namespace ? code(e.namespace) : 'the context\'s'} | ${e.minReplicas} to ${e.maxReplicas} | `
        + `${e.resources.cpuRequestMillis}m / ${e.resources.cpuLimitMillis}m | ${e.resources.memoryMiB}Mi | `
        + `${code(podRunSettings(f.environments[e.name], CONTAINER_NAMES.api).env[NODE_OPTIONS])} | ${pinned} |`;
    }),
    '',
    '### Capacity: one worker per pod',
    '',
    `The declaration asks for ${r.workers} worker${r.workers === 1 ? '' : 's'} (${code('WEB_CONCURRENCY')}), sized for one host. `
      + `In the cluster each pod runs ${POD_WORKERS} (${code(`WEB_CONCURRENCY=${pod.env.WEB_CONCURRENCY}`)}) and the declared workers `
      + `become ${cap.baseline} pod${cap.baseline === 1 ? '' : 's'} plus one spare: production's floor of ${cap.replicas} replicas. Kubernetes then does `
      + 'what node\'s cluster did inside one container: the HPA adds processes, liveness restarts a stuck one, and a pod\'s CPU is one '
      + 'process\'s CPU, so requests and the HPA\'s utilization mean what they say.',
    '',
    `- HorizontalPodAutoscaler: between each environment's bounds (production ${prod.minReplicas} to ${prod.maxReplicas}) at `
      + `${HPA_CPU_UTILIZATION}% of the CPU request; memory request = limit.`,
    `- Heap: every container with the memory limit (${migrates ? 'the app, its init container and the migration Job' : 'the app'}) gets ${code(NODE_OPTIONS)} `
      + `with ${code('--max-old-space-size')}, ${HEAP_SHARE * 100} % of the limit split over the container's node processes `
      + `(${code(`${NODE_OPTIONS}=${pod.env[NODE_OPTIONS]}`)} in production, each overlay its own). Left alone, V8 sizes its old space `
      + 'from the memory it sees but never below 256 MiB, so Node 24 allows a 259 MiB heap in a 256 MiB container and the kernel\'s '
      + 'OOM killer, not the garbage collector, meets the pressure first: a SIGKILL mid-request, with no log line. The other quarter '
      + 'is what is not old space: node\'s code, the young generation, I/O buffers, stacks. A heap that outgrows its limit '
      + `ends with V8's "heap out of memory" on stderr and a restart. A memory limit that leaves less than ${MIN_HEAP_MIB} MiB of heap `
      + 'per worker fails at synthesis. Verify\'s pod check fills a heap under production\'s env and limit and expects V8\'s '
      + '"heap out of memory", not the kernel\'s kill (which it gets without the flag).',
    `- PodDisruptionBudget: maxUnavailable ${PDB_MAX_UNAVAILABLE}, at whatever scale the HPA chose: a drain takes one pod at a time, `
      + `so at production's floor ${cap.baseline} of ${prod.minReplicas} keep serving, the declared capacity; unready pods (starting or stuck) `
      + 'may always be evicted.',
    '- RollingUpdate with maxSurge 1 and maxUnavailable 0: a new pod must be ready before an old one goes.',
    `- Termination: a preStop sleep of ${PRE_STOP_SLEEP_S} s while endpoints update, then SIGTERM, and the app's own shutdown `
      + `timeout of ${r.shutdownTimeoutMs / 1000} s: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}.`,
    '',
    '### The autoscaler owns the replica count',
    '',
    'The Deployment has no `replicas` field: the HPA sets the count through the scale subresource, and a field in the manifest would '
      + 'fight it on every sync (server-side apply, Argo CD and Flux all reset it). A new Deployment starts one pod; the HPA raises it '
      + 'to the floor on its first pass (within 15 s, before it looks at any metric, so even without metrics-server), and a rollout '
      + 'surges from the current count, whatever the HPA made it. Apply with server-side apply (below): a field no manifest sets '
      + 'has no owner to take it back. Moving a Deployment that earlier manifests applied with `replicas`: the first apply without '
      + 'the field would reset it to one pod until the HPA\'s next pass, so first record the new manifests as the last applied, '
      + `which changes no object: ${code(`kubectl kustomize ${overlay(PRODUCTION)} | kubectl apply set-last-applied -f -`)}.`,
    '',
    '### Spread across zones and nodes',
    '',
    'Each pod template spreads the API\'s pods of one ReplicaSet (`matchLabelKeys: [pod-template-hash]`) with a skew of at most 1:',
    '',
    '- across `topology.kubernetes.io/zone` with `whenUnsatisfiable: ScheduleAnyway`: a node without the zone label (one node, '
      + 'one zone, on-premises) would be ineligible under DoNotSchedule, and nothing would schedule;',
    '- across `kubernetes.io/hostname` with `whenUnsatisfiable: DoNotSchedule` and `nodeTaintsPolicy: Honor`: with as many nodes '
      + `as the floor (${prod.minReplicas} in production) no node holds two pods, so a node failure, like a drain, takes at most one pod `
      + '(what the PodDisruptionBudget allows); one node is one domain, so a single-node cluster schedules every pod on it; cordoned nodes '
      + 'do not count, so a drain does not block the spread. A pod that fits only on a node that already has more pods stays '
      + 'Pending until a node has room (the cluster autoscaler adds one); the old pods keep serving.',
    '',
    '### Network policy',
    '',
    `One NetworkPolicy selects every pod of ${code(k.name)} (the API${migrates ? ' and its migration' : ''}) and denies what it does not name:`,
    '',
    '| Direction | Peers | Port |',
    '| --- | --- | --- |',
    `| ingress (the ingress controller: ${code('ingressFrom')}) | ${describePeers(k.ingressFrom)} | TCP ${r.port} |`,
    ...(r.metricsPath ? [`| ingress (the metrics scraper: ${code('metricsFrom')}) | ${describePeers(k.metricsFrom)} | TCP ${r.port} (${code(r.metricsPath)}) |`] : []),
    `| egress (the cluster DNS) | ${describePeer(CLUSTER_DNS)} | UDP and TCP ${DNS_PORT} |`,
    ...(k.database ? [`| egress (the database: ${code('databaseTo')}) | ${describePeers(k.database.to)} | TCP ${k.database.port} |`] : []),
    '',
    (k.database
      ? 'The defaults are the safe ones: no other namespace, not even the app\'s own, reaches the API, and the database is reachable '
        + 'only inside the app\'s namespace. Declare the real peers in the project\'s declaration (`new KubernetesManifests(image, { databaseTo: '
        + '[{ cidr: \'10.20.0.0/24\' }] })` for a managed database, `ingressFrom` for another ingress controller). '
      : 'The defaults are the safe ones: no other namespace, not even the app\'s own, reaches the API. Declare the real peers in the '
        + 'project\'s declaration (`new KubernetesManifests(image, { ingressFrom: [{ namespace: \'traefik\' }] })` for another ingress controller). ')
      + (r.metricsPath ? `A NetworkPolicy sees ports, not paths: ${code(r.metricsPath)} shares the app's port, so keep the Ingress from routing it. ` : '')
      + 'DNS goes to the kube-dns pods only: a node-local DNS cache (169.254.20.10) is not one of them.'
      + (r.metricsPath
        ? ` The pods carry ${code('prometheus.io/scrape')}, ${code(`prometheus.io/port: "${r.port}"`)} and `
          + `${code(`prometheus.io/path: ${r.metricsPath}`)}, which Prometheus' Kubernetes pod discovery reads.`
        : ''),
    '',
    '### Identity and labels',
    '',
    `- A dedicated ServiceAccount ${code(k.name)} with ${code('automountServiceAccountToken: false')}, on it and on every pod: `
      + 'the app never calls the Kubernetes API.',
    `- Every object: ${code('app.kubernetes.io/name')}, ${code('component')}, ${code('version')} (the release's), `
      + `${code(`part-of: ${k.partOf}`)} and ${code(`managed-by: ${MANAGED_BY}`)}. Selectors use name and component only: `
      + 'they cannot change, and a new version must select the old pods too.',
    `- Namespace: ${k.namespace ? code(k.namespace) : 'none in the base (the kubectl context\'s), or the environment\'s'} (${code('namespace')}); `
      + `image pull secrets: ${k.imagePullSecrets.length ? k.imagePullSecrets.map(code).join(', ') : 'none'} (${code('imagePullSecrets')}, `
      + 'needed for a private registry).',
    `- Pods pass the restricted Pod Security Standard: uid ${pod.user}, gid ${pod.groupId}, runAsNonRoot, no privilege escalation, `
      + `capabilities ${pod.capDrop.join(', ')} dropped, seccomp RuntimeDefault, read-only root with an emptyDir on `
      + `${pod.tmpfsPaths.map(code).join(', ')}. Label the namespace `
      + '`pod-security.kubernetes.io/enforce=restricted` to have the API server hold every pod to it.',
    '',
    '### Liveness is not readiness',
    '',
    '| Probe | Request | When |',
    '| --- | --- | --- |',
    ...probeRows,
    '',
    (!r.database ? livenessWithoutDatabase(r, probe('readiness')?.path) : r.livenessPath
      ? `Readiness asks ${code(probe('readiness')?.path ?? r.livenessPath)} too, not ${code(r.healthPath)}: a database outage is shared by every `
        + 'pod, and taking them all out of the Service would replace the app\'s own 503 by the ingress\'s bare one and take down '
        + `the routes that need no database. ${code(r.healthPath)} still answers 503 during an outage, for monitors. `
        + `Liveness and startup ask ${code(r.livenessPath)}, which never touches the database: if it did, a database outage `
        + 'would fail every pod\'s liveness at once and Kubernetes would restart them all in a loop, which cures nothing and '
        + 'adds cold starts to the outage. A restart helps only a process that is stuck, and only liveness can tell that.'
      : `Readiness asks ${code(r.healthPath)}, which answers 503 while the database is unreachable. `
        + 'The app declares no liveness path, so there is no liveness or startup probe: probing readiness for liveness '
        + 'would restart every pod whenever the database is down.'),
    ...(migrates ? [
      '',
      '### Migrations: one Job per release, and never a version before its schema',
      '',
      `The Job is named after the release (${code(jobOf('<version>'))}), so every release creates a new one and no deploy waits for `
        + `an old one to be deleted. It runs ${code(r.migrateCommand!.join(' '))}, which is idempotent: it applies what is pending, `
        + 'takes a database lock so two runs never interleave (the loser exits non-zero and is retried), and is a no-op when '
        + `nothing is pending. Argo CD runs it first (${Object.entries(MIGRATE_HOOK_ANNOTATIONS).map(([a, v]) => code(`${a}: ${v}`)).join(', ')}). `
        + `And every API pod runs the same command as an init container (${code(CONTAINER_NAMES.migrate)}) before the app starts, so `
        + 'with plain kubectl, Flux or anything else a new version never serves before its migration ran: the first new pod migrates '
        + '(or finds the Job did), and with maxUnavailable 0 the old pods serve meanwhile. A migration must therefore work with the code '
        + 'before it and after it (expand, deploy, then contract).',
    ] : []),
    '',
    '### First deploy',
    '',
    `The release is a commit: ${code(RELEASES_FILE)} records which version and digest each environment runs (the digest of the multi-platform index, so every node pulls its own architecture's verified image; `
      + `${code(`npx projen ${DEPLOY_TASKS.release}`)} checks and writes it, then synthesizes the overlay that pins it), and kubectl `
      + 'applies the overlay. Nothing but kubectl talks to the cluster; no `kustomize edit`.',
    '',
    '```sh',
    `REGISTRY=${k.registryImage} VERSION=1.4.0 npx projen docker:publish   # prints digest: sha256:… (the index)`,
    `ENVIRONMENT=${PRODUCTION} VERSION=1.4.0 DIGEST=sha256:… npx projen ${DEPLOY_TASKS.release}   # writes ${RELEASES_FILE}, synthesizes`,
    `git add ${RELEASES_FILE} ${dir} && git commit -m "production: 1.4.0"`,
    ...(k.namespace ? [`kubectl create namespace ${k.namespace}`] : []),
    `kubectl label namespace ${k.namespace ?? '<namespace>'} pod-security.kubernetes.io/enforce=restricted`,
    ...(k.database ? [`kubectl create secret generic ${k.database.secret} --from-literal=${DATABASE_URL_KEY}='postgres://…'   # once per namespace, never in git`] : []),
    ...k.imagePullSecrets.map((s) => `kubectl create secret docker-registry ${s} --docker-server=… --docker-username=… --docker-password=…`),
    apply(PRODUCTION),
    ...waitJob('1.4.0'),
    `kubectl rollout status deployment/${k.name}`,
    `kubectl get hpa ${k.name}   # REPLICAS reaches ${prod.minReplicas} within the HPA's first pass`,
    '```',
    '',
    `Without a release in ${code(RELEASES_FILE)} an overlay asks for the placeholder digest, an image that does not exist: the new `
      + `pods stay in ImagePullBackOff and, with maxUnavailable 0, the old ones keep serving.${release.digest === PLACEHOLDER_DIGEST ? ' Production has none yet.' : ''}`,
    '',
    '### Upgrade',
    '',
    '```sh',
    `REGISTRY=${k.registryImage} VERSION=1.5.0 npx projen docker:publish`,
    `ENVIRONMENT=${PRODUCTION} VERSION=1.5.0 DIGEST=sha256:… npx projen ${DEPLOY_TASKS.release}   # writes ${RELEASES_FILE}, synthesizes`,
    `git add ${RELEASES_FILE} ${dir} && git commit -m "production: 1.5.0"`,
    `kubectl diff --server-side -k ${overlay(PRODUCTION)}   # the digest, the version label${migrates ? ', a new Job' : ''}`,
    apply(PRODUCTION),
    ...waitJob('1.5.0'),
    `kubectl rollout status deployment/${k.name}`,
    '```',
    '',
    '### Rollback',
    '',
    '```sh',
    `kubectl rollout undo deployment/${k.name}   # at once: the previous ReplicaSet, its image and version`,
    `kubectl rollout status deployment/${k.name}`,
    `git revert <the release commit> && npx projen   # then git says what runs again: ${RELEASES_FILE} back at 1.4.0`,
    apply(PRODUCTION),
    '```',
    ...(migrates ? [
      '',
      'A rollback does not revert the schema: the previous version runs on the newer one, which expand-only migrations allow, and its '
        + `migration (the init container, and ${code(jobOf('1.4.0'))} if it was cleaned up) finds nothing pending. `
        + 'To undo a migration, release a new version whose migration does it.',
    ] : []),
  ];
}

/** Why the probes ask what they ask, for an app without a database. Pure. */
function livenessWithoutDatabase(r: ResolvedContainer, readinessPath: string | undefined): string {
  return r.livenessPath
    ? `Readiness asks ${code(readinessPath ?? r.livenessPath)} too, not ${code(r.healthPath)}: an outage of a dependency every pod shares `
      + `would otherwise take them all out of the Service at once. Liveness and startup ask ${code(r.livenessPath)}: a restart helps only a `
      + 'process that is stuck, and only liveness can tell that.'
    : `Readiness asks ${code(r.healthPath)}. The app declares no liveness path, so there is no liveness or startup probe: `
      + 'probing readiness for liveness would restart pods that are only waiting for a dependency.';
}
