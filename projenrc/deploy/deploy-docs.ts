import { Component } from 'projen';
import type { ComposeModel, ComposeStack, EnvFileEntry } from './compose';
import { COMPOSE_SERVICES, ENV_FILE, POSTGRES_VOLUME, envFileEntries } from './compose';
import type { KubernetesDocFacts } from './kubernetes-docs';
import { kubernetesDocLines } from './kubernetes-docs';
import type { KubernetesManifests } from './kubernetes-manifests';
import type { ContainerImage, ResolvedContainer } from '../container';
import { GeneratedFile } from '../generated-file';

/** Everything `docs/deploy.md` states, each from where it is decided. */
export interface DeployFacts {
  readonly container: ResolvedContainer;
  readonly compose: ComposeModel;
  readonly envFile: readonly EnvFileEntry[];
  /** Path of the compose file, e.g. `compose.yaml`. */
  readonly composeFile: string;
  readonly kubernetes: KubernetesDocFacts;
}

const code = (s: string | number) => `\`${s}\``;

/** Renders `docs/deploy.md`. Pure. */
export function renderDeployDocs(f: DeployFacts, marker?: string): string {
  const r = f.container;
  const { api, migrate, postgres } = COMPOSE_SERVICES;
  const postgresImage = f.compose.services[postgres].image ?? '';
  const apiUrl = `http://127.0.0.1:${r.port}`;
  const dir = f.kubernetes.kubernetes.outdir;

  return [
    ...(marker ? [`<!-- ${marker} -->`] : []),
    `# Deploying ${r.imageName}`,
    '',
    `Generated from the project's ${code('ContainerImage')} declaration by the deploy components: `
      + `${code(f.composeFile)}, ${code('.env.example')} and ${code(`${dir}/`)}. `
      + 'Edit the declaration and run `npx projen`, never the files.',
    '',
    '## Local development with Compose',
    '',
    '| Service | What it runs | Starts when |',
    '| --- | --- | --- |',
    `| ${code(postgres)} | ${code(postgresImage)}, data in the named volume ${code(POSTGRES_VOLUME)} | at once; healthy once ${code('pg_isready')} answers over TCP |`,
    ...(r.migrateCommand
      ? [`| ${code(migrate)} | ${code(r.migrateCommand.join(' '))} in the app image, once | ${code(postgres)} is healthy |`]
      : []),
    `| ${code(api)} | the app image, published on ${code(`127.0.0.1:${r.port}`)} | ${r.migrateCommand ? `${code(migrate)} exited 0 and ` : ''}${code(postgres)} is healthy |`,
    '',
    `The app image is built from the ${code('Dockerfile')} (tagged ${code(`${r.imageName}:${r.version}`)}, as ${code('npx projen docker:build')} tags it) `
      + 'and runs with verify\'s hardened profile: read-only root filesystem, '
      + `tmpfs ${Object.keys(r.hardened.tmpfs).map(code).join(', ')}, capabilities ${r.hardened.capDrop.map(code).join(', ')} dropped, `
      + `${code('no-new-privileges')}. The user differs on purpose: compose runs the declared user ${code(`${r.uid}:${r.gid}`)}, `
      + `the image's own, while the hardened check runs ${code(r.hardened.user)}, a uid the image does not know, as an orchestrator `
      + 'that assigns one (OpenShift) would, to prove the image needs no particular uid. '
      + `The api's health is the image's own HEALTHCHECK on ${code(r.healthPath)}.`,
    '',
    '```sh',
    `cp .env.example ${ENV_FILE}          # then set a real POSTGRES_PASSWORD, and the same in DATABASE_URL`,
    'docker compose up --build --detach   # postgres, then migrate, then api',
    `docker compose ps                    # ${migrate} "exited (0)", ${api} "healthy"`,
    `curl ${apiUrl}${r.healthPath}`,
    `docker compose logs --follow ${api}`,
    ...(r.migrateCommand ? [`docker compose logs ${migrate}             # it runs on every up: after a new migration, up again`] : []),
    `docker compose down                  # keeps the database; down --volumes drops ${POSTGRES_VOLUME}`,
    '```',
    '',
    `Secrets come from ${code(ENV_FILE)}, which git ignores; ${code('.env.example')} documents them:`,
    '',
    '| Variable | Example | Why |',
    '| --- | --- | --- |',
    ...f.envFile.map((e) => `| ${code(e.name)} | ${code(e.example)} | ${e.comment} |`),
    '',
    'Debian\'s `docker-compose` 1.29 reads the same file (`docker-compose up --build`); it knows '
      + '`service_completed_successfully`, and `docker-compose config -q` validates the file without running anything.',
    '',
    ...kubernetesDocLines(f.kubernetes),
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
        kubernetes: kubernetes.docFacts,
      }, marker),
    });
  }
}
