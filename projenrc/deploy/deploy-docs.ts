import { Component } from 'projen';
import type { ComposeModel, ComposeStack, EnvFileEntry } from './compose';
import { COMPOSE_SERVICES, ENV_FILE, POSTGRES_VOLUME, envFileEntries } from './compose';
import {
  COMPOSE_PUBLISH_HOST, DATABASE_URL_KEY, HPA_CPU_UTILIZATION, POSTGRES_PORT, LIVENESS, POD_RESOURCES, POD_WORKERS,
  PRE_STOP_SLEEP_S, READINESS, STARTUP_PERIOD_S,
} from './defaults';
import type { KubeObject, KubernetesManifests, ResolvedKubernetesProps } from './kubernetes';
import { KUSTOMIZATION_FILE, capacity } from './kubernetes';
import { podRunSettings } from './pod-settings';
import type { ContainerImage, ResolvedContainer } from '../container';
import { GeneratedFile } from '../generated-file';

/** Everything `docs/deploy.md` states, each from where it is decided. */
export interface DeployFacts {
  readonly container: ResolvedContainer;
  readonly compose: ComposeModel;
  readonly envFile: readonly EnvFileEntry[];
  /** Path of the compose file, e.g. `compose.yaml`. */
  readonly composeFile: string;
  readonly kubernetes: ResolvedKubernetesProps;
  /** The rendered manifests by file name. */
  readonly manifests: Readonly<Record<string, KubeObject>>;
}

const code = (s: string | number) => `\`${s}\``;

/** Renders `docs/deploy.md`. Pure. */
export function renderDeployDocs(f: DeployFacts, marker?: string): string {
  const r = f.container;
  const { api, migrate, postgres } = COMPOSE_SERVICES;
  const pod = podRunSettings(f.manifests);
  const cap = capacity(r);
  const k = f.kubernetes;
  const postgresImage = f.compose.services[postgres].image ?? '';
  const apiHealth = f.compose.overrides[`services.${api}.healthcheck`] as { interval?: string } | undefined;
  const apiUrl = `http://127.0.0.1:${r.port}`;
  const probe = (kind: string) => pod.probes.find((p) => p.kind === kind);
  const job = Object.values(f.manifests).find((o) => o.kind === 'Job');
  const dir = k.outdir;

  const probeRows = [
    ['startup', `every ${STARTUP_PERIOD_S} s for the image's ${r.healthcheck.startPeriodS} s start period; liveness waits for it`],
    ['readiness', `every ${READINESS.periodS} s; ${READINESS.failureThreshold} misses take the pod out of the Service`],
    ['liveness', `every ${LIVENESS.periodS} s; ${LIVENESS.failureThreshold} misses restart the container`],
  ].flatMap(([kind, when]) => {
    const p = probe(kind);
    return p ? [`| ${kind} | ${code(`GET ${p.path}`)} on ${p.port} | ${when} |`] : [];
  });

  return [
    ...(marker ? [`<!-- ${marker} -->`] : []),
    `# Deploying ${r.imageName}`,
    '',
    `Generated from the ${code('ContainerImage')} declaration in ${code('.projenrc.ts')} by the deploy components `
      + `(${code('projenrc/deploy')}): ${code(f.composeFile)}, ${code('.env.example')} and ${code(`${dir}/`)}. `
      + 'Edit the declaration and run `npx projen`, never the files.',
    '',
    '## Local development with Compose',
    '',
    '| Service | What it runs | Starts when |',
    '| --- | --- | --- |',
    `| ${code(postgres)} | ${code(postgresImage)}, data in the named volume ${code(POSTGRES_VOLUME)}, published on ${code(`${COMPOSE_PUBLISH_HOST}:${POSTGRES_PORT}`)} | at once; healthy once ${code('pg_isready')} answers over TCP |`,
    ...(r.migrateCommand
      ? [`| ${code(migrate)} | ${code(r.migrateCommand.join(' '))} in the app image, once | ${code(postgres)} is healthy |`]
      : []),
    `| ${code(api)} | the app image, published on ${code(`${COMPOSE_PUBLISH_HOST}:${r.port}`)} | ${r.migrateCommand ? `${code(migrate)} exited 0 and ` : ''}${code(postgres)} is healthy |`,
    '',
    `The app image is built from the ${code('Dockerfile')} (tagged ${code(`${r.imageName}:${r.version}`)}, as ${code('npx projen docker:build')} tags it) `
      + `and runs as verify's hardened check runs it: user ${code(`${r.uid}:${r.gid}`)}, read-only root filesystem, `
      + `tmpfs ${Object.keys(r.hardened.tmpfs).map(code).join(', ')}, capabilities ${r.hardened.capDrop.map(code).join(', ')} dropped, `
      + `${code('no-new-privileges')}. The api's health is the image's own HEALTHCHECK on ${code(r.healthPath)}, checked every `
      + `${apiHealth?.interval ?? `${r.healthcheck.intervalS}s`} instead of every ${r.healthcheck.intervalS} s, so it shows "healthy" within seconds of its start.`,
    '',
    '```sh',
    'docker compose up --build --detach   # postgres, then migrate, then api; no .env needed',
    `docker compose ps                    # ${migrate} "exited (0)", ${api} "healthy"`,
    `curl ${apiUrl}${r.healthPath}`,
    `docker compose logs --follow ${api}`,
    ...(r.migrateCommand ? [`docker compose logs ${migrate}             # it runs on every up: after a new migration, up again`] : []),
    `docker compose down                  # keeps the database; down --volumes drops ${POSTGRES_VOLUME}`,
    '```',
    '',
    `Every variable has a default, so the stack starts without a ${code(ENV_FILE)}. To override one (a real password above all), `
      + `${code(`cp .env.example ${ENV_FILE}`)} and edit it; git ignores ${code(ENV_FILE)}, and compose reads it for the `
      + `${code('${VAR:-default}')} values in ${code(f.composeFile)}:`,
    '',
    '| Variable | Default | Why |',
    '| --- | --- | --- |',
    ...f.envFile.map((e) => `| ${code(e.name)} | ${code(e.example)} | ${e.comment} |`),
    '',
    '### The app from source, with reload',
    '',
    `${code('npx projen dev')} runs the migrations, then the API from ${code('src/')} (ts-node), restarting it on each change `
      + `under ${code('src/')}, ${code('config/')} or ${code('prompts/')}. It reads ${code(ENV_FILE)} if there is one; `
      + `${code('DATABASE_URL')} comes from the environment, else ${code(ENV_FILE)}, else the stack's ${code(postgres)} on loopback. `
      + `One worker unless ${code('WEB_CONCURRENCY')} says otherwise.`,
    '',
    '```sh',
    `docker compose up --detach ${postgres}   # or any PostgreSQL: DATABASE_URL=postgres://… npx projen dev`,
    'npx projen dev                       # migrations, then the API; edit src/ and it restarts',
    `curl ${apiUrl}${r.healthPath}`,
    '```',
    '',
    'Requests carry an `x-request-id`: the caller\'s own when it is short and safe, else a new one; every answer echoes it, '
      + 'every log line of the request names it (`reqId`), and a 500\'s body gives it as `requestId`. Prometheus metrics are '
      + 'served by the app itself (`metricsPath` in `config/default.json`), summed over its workers.',
    '',
    'Debian\'s `docker-compose` 1.29 reads the same file (`docker-compose up --build`); it knows '
      + '`service_completed_successfully`, and `docker-compose config -q` validates the file without running anything.',
    '',
    '## Kubernetes',
    '',
    `${code(`${dir}/`)} holds one manifest per object, rendered with cdk8s-plus, and a ${code(KUSTOMIZATION_FILE)} that lists them `
      + `and points the image ${code(r.imageName)} at ${code(k.registryImage)} by digest.`,
    '',
    '| File | Object |',
    '| --- | --- |',
    ...Object.entries(f.manifests).map(([file, o]) => `| ${code(file)} | ${o.kind} ${code(o.metadata.name)} |`),
    '',
    '### Capacity: one worker per pod',
    '',
    `The declaration asks for ${r.workers} worker${r.workers === 1 ? '' : 's'} (${code('WEB_CONCURRENCY')}), sized for one host. `
      + `In the cluster each pod runs ${POD_WORKERS} (${code(`WEB_CONCURRENCY=${pod.env.WEB_CONCURRENCY}`)}) and the declared workers `
      + `become ${cap.baseline} pod${cap.baseline === 1 ? '' : 's'} plus one spare: ${cap.replicas} replicas. Kubernetes then does what node's `
      + 'cluster did inside one container: the HPA adds processes, liveness restarts a stuck one, and a pod\'s CPU is one '
      + 'process\'s CPU, so requests and the HPA\'s utilization mean what they say.',
    '',
    `- Requests and limits per pod: CPU ${POD_RESOURCES.cpuRequestMillis}m (limit ${POD_RESOURCES.cpuLimitMillis}m: one JS thread `
      + `rarely uses more than a core), memory ${POD_RESOURCES.memoryMiB}Mi (request = limit).`,
    `- HorizontalPodAutoscaler: ${cap.replicas} to ${cap.maxReplicas} replicas at ${HPA_CPU_UTILIZATION}% of the CPU request `
      + '(needs metrics-server). The Deployment states `replicas` too, so the first apply starts at the minimum; client-side '
      + '`kubectl apply` leaves the HPA\'s count alone while that value does not change (server-side apply would take the field over).',
    `- PodDisruptionBudget: at least ${cap.baseline} available, so a drain takes only the spare at a time; unready pods `
      + '(starting or stuck) may always be evicted.',
    '- RollingUpdate with maxUnavailable 0: a new pod must be ready before an old one goes.',
    `- Termination: a preStop sleep of ${PRE_STOP_SLEEP_S} s while endpoints update, then SIGTERM, and the app's own shutdown `
      + `timeout of ${r.shutdownTimeoutMs / 1000} s: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}.`,
    `- NetworkPolicy: ingress to TCP ${r.port} only; egress to DNS (53 UDP and TCP) and the database (TCP ${k.databasePort}) only.`,
    `- Pods pass the restricted Pod Security Standard: uid ${pod.user}, gid ${pod.groupId}, runAsNonRoot, no privilege escalation, `
      + `capabilities ${pod.capDrop.join(', ')} dropped, seccomp RuntimeDefault, read-only root with an emptyDir on `
      + `${pod.tmpfsPaths.map(code).join(', ')}, no service account token. Label the namespace `
      + '`pod-security.kubernetes.io/enforce=restricted` to have the API server hold every pod to it.',
    '',
    '### Liveness is not readiness',
    '',
    '| Probe | Request | When |',
    '| --- | --- | --- |',
    ...probeRows,
    '',
    (r.livenessPath
      ? `Readiness asks ${code(probe('readiness')?.path ?? r.livenessPath)} too, not ${code(r.healthPath)}: a database outage is shared by every `
        + 'pod, and taking them all out of the Service would replace our 503 with `Retry-After` by the ingress\'s bare one and take down '
        + `the routes that need no database (docs/decisions/0005). ${code(r.healthPath)} still answers 503 during an outage, for monitors. `
        + `Liveness and startup ask ${code(r.livenessPath)}, which never touches the database: if it did, a database outage `
        + 'would fail every pod\'s liveness at once and Kubernetes would restart them all in a loop, which cures nothing and '
        + 'adds cold starts to the outage. A restart helps only a process that is stuck, and only liveness can tell that.'
      : `Readiness asks ${code(r.healthPath)}, which answers 503 while the database is unreachable. `
        + 'The app declares no liveness path, so there is no liveness or startup probe: probing readiness for liveness '
        + 'would restart every pod whenever the database is down.'),
    '',
    '### Deploy',
    '',
    '```sh',
    'npx projen docker:publish            # pushes the image and prints digest: sha256:…',
    `cd ${dir}`,
    `kustomize edit set image ${r.imageName}=${k.registryImage}@sha256:…`,
    'cd -',
    `kubectl create secret generic ${k.databaseSecret} --from-literal=${DATABASE_URL_KEY}='postgres://…'   # once per namespace`,
    ...(job ? [`kubectl delete job ${job.metadata.name} --ignore-not-found   # a Job's pod template cannot change`] : []),
    `kubectl apply -k ${dir}`,
    ...(job ? [`kubectl wait --for=condition=complete job/${job.metadata.name} --timeout=10m`] : []),
    `kubectl rollout status deployment/${r.imageName}`,
    '```',
    '',
    `${code(KUSTOMIZATION_FILE)} is generated with a placeholder digest; ${code('kustomize edit set image')} belongs to the deploy's `
      + 'own checkout (the CI job), not to a commit; in a local checkout projen left the file read-only (`chmod u+w` first, '
      + '`npx projen` restores it). A deploy that forgets it asks for an image that does not exist: the new pods '
      + 'stay in ImagePullBackOff and, with maxUnavailable 0, the old ones keep serving.',
    ...(job
      ? ['', 'The migration Job and the rollout start together, and old pods serve while the Job runs: a migration must work with '
        + 'the code before it and after it (expand, deploy, then contract).']
      : []),
    '',
  ].join('\n');
}

/** `docs/deploy.md`: local development with Compose and the deploy to Kubernetes, from the declaration. */
export class DeployDocs extends Component {
  public readonly file: GeneratedFile;

  constructor(image: ContainerImage, stack: ComposeStack, kubernetes: KubernetesManifests, path = 'docs/deploy.md') {
    super(image.project);
    this.file = new GeneratedFile(image.project, path, {
      render: (marker) => renderDeployDocs({
        container: image.resolved,
        compose: stack.model,
        envFile: envFileEntries(image.resolved),
        composeFile: stack.file.path,
        kubernetes: kubernetes.resolvedProps,
        manifests: kubernetes.manifests,
      }, marker),
    });
  }
}
