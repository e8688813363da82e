import { Component } from 'projen';
import type { ComposeModel, ComposeStack, EnvFileEntry } from './compose';
import { COMPOSE_SERVICES, ENV_FILE, POSTGRES_VOLUME, envFileEntries } from './compose';
import { COMPOSE_API_HEALTH_INTERVAL_S, COMPOSE_PUBLISH_HOST, POSTGRES_PORT } from './defaults';
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
  /** Path of the compose file, e.g. `docker-compose.yml`. */
  readonly composeFile: string;
  readonly kubernetes: KubernetesDocFacts;
  /** The project's own sections on local development, each as lines, after the stack's variables. */
  readonly localSections?: readonly (readonly string[])[];
}

const code = (s: string | number) => `\`${s}\``;

/** Renders `docs/deploy.md`. Pure. */
export function renderDeployDocs(f: DeployFacts, marker?: string): string {
  const r = f.container;
  const { api, migrate, postgres } = COMPOSE_SERVICES;
  const postgresImage = f.compose.services[postgres]?.image;
  const apiUrl = `http://127.0.0.1:${r.port}`;
  const dir = f.kubernetes.kubernetes.outdir;

  return [
    ...(marker ? [`<!-- ${marker} -->`] : []),
    `# Deploying ${r.imageName}`,
    '',
    `Generated from the project's ${code('ContainerImage')} declaration by the deploy components: `
      + `${[f.composeFile, ...(f.envFile.length ? ['.env.example'] : [])].map(code).join(', ')} and ${code(`${dir}/`)}. `
      + 'Edit the declaration and run `npx projen`, never the files.',
    '',
    '## Local development with Compose',
    '',
    '| Service | What it runs | Starts when |',
    '| --- | --- | --- |',
    ...(postgresImage
      ? [`| ${code(postgres)} | ${code(postgresImage)}, data in the named volume ${code(POSTGRES_VOLUME)}, published on ${code(`${COMPOSE_PUBLISH_HOST}:${POSTGRES_PORT}`)} | at once; healthy once ${code('pg_isready')} answers over TCP |`]
      : []),
    ...(r.migrateCommand
      ? [`| ${code(migrate)} | ${code(r.migrateCommand.join(' '))} in the app image, once | ${code(postgres)} is healthy |`]
      : []),
    `| ${code(api)} | the app image, published on ${code(`${COMPOSE_PUBLISH_HOST}:${r.port}`)} | `
      + `${postgresImage ? `${r.migrateCommand ? `${code(migrate)} exited 0 and ` : ''}${code(postgres)} is healthy` : 'at once'} |`,
    '',
    `The app image is built from the ${code('Dockerfile')} (tagged ${code(`${r.imageName}:${r.version}`)}, as ${code('npx projen docker:build')} tags it) `
      + 'and runs with verify\'s hardened profile: read-only root filesystem, '
      + `tmpfs ${Object.keys(r.hardened.tmpfs).map(code).join(', ')}, capabilities ${r.hardened.capDrop.map(code).join(', ')} dropped, `
      + `${code('no-new-privileges')}. The user differs on purpose: compose runs the declared user ${code(`${r.uid}:${r.gid}`)}, `
      + `the image's own, while the hardened check runs ${code(r.hardened.user)}, a uid the image does not know, as an orchestrator `
      + 'that assigns one (OpenShift) would, to prove the image needs no particular uid. '
      + `The api's health is the image's own HEALTHCHECK on ${code(r.healthPath)}, checked every `
      + `${COMPOSE_API_HEALTH_INTERVAL_S}s instead of every ${r.healthcheck.intervalS} s, so it shows "healthy" within seconds of its start.`,
    '',
    '```sh',
    `docker compose up --build --detach   # ${Object.keys(f.compose.services).join(', then ')}${f.envFile.length ? '; no .env needed' : ''}`,
    `docker compose ps                    # ${r.migrateCommand ? `${migrate} "exited (0)", ` : ''}${api} "healthy"`,
    `curl ${apiUrl}${r.healthPath}`,
    `docker compose logs --follow ${api}`,
    ...(r.migrateCommand ? [`docker compose logs ${migrate}             # it runs on every up: after a new migration, up again`] : []),
    postgresImage ? `docker compose down                  # keeps the database; down --volumes drops ${POSTGRES_VOLUME}` : 'docker compose down',
    '```',
    '',
    ...(f.envFile.length ? [
      `Every variable has a default, so the stack starts without a ${code(ENV_FILE)}. To override one (a real password above all), `
        + `${code(`cp .env.example ${ENV_FILE}`)} and edit it; git ignores ${code(ENV_FILE)}, and compose reads it for the `
        + `${code('${VAR:-default}')} values in ${code(f.composeFile)}:`,
      '',
      '| Variable | Default | Why |',
      '| --- | --- | --- |',
      ...f.envFile.map((e) => `| ${code(e.name)} | ${code(e.example)} | ${e.comment} |`),
      '',
    ] : []),
    ...(f.localSections ?? []).flatMap((lines) => [...lines, '']),
    'Debian\'s `docker-compose` 1.29 reads the same file (`docker-compose up --build`); '
      + (r.migrateCommand ? 'it knows `service_completed_successfully`, and ' : '')
      + '`docker-compose config -q` validates the file without running anything.',
    '',
    ...kubernetesDocLines(f.kubernetes),
    '',
  ].join('\n');
}

/** `docs/deploy.md`: local development with Compose and the deploy to Kubernetes, from the declaration. */
export class DeployDocs extends Component {
  public readonly file: GeneratedFile;
  private readonly localSections: (() => readonly string[])[] = [];

  constructor(image: ContainerImage, stack: ComposeStack, kubernetes: KubernetesManifests, path = 'docs/deploy.md') {
    super(image.project);
    this.file = new GeneratedFile(image.project, path, {
      render: (marker) => renderDeployDocs({
        container: image.resolved,
        compose: stack.model,
        envFile: envFileEntries(image.resolved),
        composeFile: stack.compose.file.path,
        kubernetes: kubernetes.docFacts,
        localSections: this.localSections.map((render) => render()),
      }, marker),
    });
  }

  /**
   * Adds a section of the project's own to local development, after the
   * stack's variables: how the project runs the app beside the stack, say.
   * Rendered at synthesis, as Markdown lines.
   */
  public addLocalSection(render: () => readonly string[]): this {
    this.localSections.push(render);
    return this;
  }
}
