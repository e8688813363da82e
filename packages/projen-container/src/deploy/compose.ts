import { Component, DockerCompose, YamlFile } from 'projen';
import type { DockerComposeServiceDescription } from 'projen';
import {
  COMPOSE_API_HEALTH_INTERVAL_S, COMPOSE_PUBLISH_HOST, POSTGRES_DATA_DIR, POSTGRES_HEALTH, POSTGRES_IMAGE, POSTGRES_PORT,
} from './defaults';
import type { ContainerImage, ResolvedContainer } from '../container';
import { DATABASE_URL_ENV } from '../container/container-image-props';
import { check, fail, imageRef, port } from '../container/validation';
import { GeneratedFile } from '../generated-file';

/** The services of `compose.yaml`, by the names other services and the docs use. */
export const COMPOSE_SERVICES = { api: 'api', migrate: 'migrate', postgres: 'postgres' } as const;
/**
 * The uncommitted file that overrides the stack's defaults: compose reads it for `${VAR}`
 * interpolation, and `npx projen dev` reads it for the app. Optional: without it every variable
 * has its documented default.
 */
export const ENV_FILE = '.env';
/**
 * PostgreSQL's superuser password when `.env` sets none. A development default, not a secret: the
 * database is published on 127.0.0.1 only, and a real password goes into `.env`.
 */
export const DEV_POSTGRES_PASSWORD = 'local-development-only';
/** The named volume that keeps the database across `docker compose down`. */
export const POSTGRES_VOLUME = 'postgres-data';

export interface ComposeStackProps {
  /**
   * The PostgreSQL image of the `postgres` service; only for an image that declares `database`.
   * @default POSTGRES_IMAGE - the major Debian trixie ships, on trixie: what the runtime image is built on
   */
  readonly postgresImage?: string;
  /**
   * Host port the API is published on (on 127.0.0.1).
   * @default - the declared container port, so URLs read the same inside and out
   */
  readonly hostPort?: number;
  /**
   * Where compose and `.env.example` are written.
   * @default 'compose.yaml' - the Compose Specification's preferred name, found by `docker compose` first
   */
  readonly path?: string;
}

/** One line of `.env.example`: a variable the stack reads from `.env`. */
export interface EnvFileEntry {
  readonly name: string;
  readonly example: string;
  /** Why it exists and who reads it. */
  readonly comment: string;
}

/** `compose.yaml`, resolved: what the component feeds projen's `DockerCompose` and its file. */
export interface ComposeModel {
  /** Described with projen's own types: build, command, environment, volumes. */
  readonly services: Readonly<Record<string, DockerComposeServiceDescription>>;
  /** What `DockerCompose` cannot express, as `file.addOverride(path, value)` pairs. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** The database the postgres image creates and the app uses: the image name as an SQL identifier. */
export function databaseName(r: Pick<ResolvedContainer, 'imageName'>): string {
  return r.imageName.replace(/[^a-z0-9]+/g, '_');
}

/** `${NAME:-default}`: compose's interpolation, so the stack starts without a `.env`. */
const interpolated = (name: string, fallback: string | number): string => `\${${name}:-${fallback}}`;

/** The URL of the stack's database, as `host` reaches it, with the defaults or `.env`'s values interpolated. */
function stackDatabaseUrl(host: string, password: string, db: string): string {
  return `postgres://postgres:${password}@${host}:${POSTGRES_PORT}/${db}`;
}

/**
 * `DATABASE_URL` for the app run on this host, from source, against the stack's PostgreSQL,
 * published on loopback, with the stack's defaults. Pure.
 */
export function hostDatabaseUrl(r: Pick<ResolvedContainer, 'imageName'>): string {
  return stackDatabaseUrl(COMPOSE_PUBLISH_HOST, DEV_POSTGRES_PASSWORD, databaseName(r));
}

/** What `.env.example` documents, in file order: every variable with its default; none without a database. Pure. */
export function envFileEntries(r: ResolvedContainer): EnvFileEntry[] {
  if (!r.database) return [];
  return [
    {
      name: 'POSTGRES_PASSWORD',
      example: DEV_POSTGRES_PASSWORD,
      comment: "The postgres service's superuser password, set on its first start (an empty volume); "
        + `${COMPOSE_SERVICES.migrate} and ${COMPOSE_SERVICES.api} connect with it. Set a real one here.`,
    },
    {
      name: 'POSTGRES_DB',
      example: databaseName(r),
      comment: 'The database the postgres service creates on its first start (an empty volume).',
    },
    {
      name: DATABASE_URL_ENV,
      example: hostDatabaseUrl(r),
      comment: `Read by \`npx projen dev\` (the app from source, on this host) only: the stack's postgres on ${COMPOSE_PUBLISH_HOST}; `
        + 'its password and database must match the two above. Compose builds its own URL for the services.',
    },
  ];
}

/** `.env.example`, rendered from {@link envFileEntries}. Pure. */
export function renderEnvExample(entries: readonly EnvFileEntry[], marker?: string): string {
  return [
    ...(marker ? [`# ${marker}`] : []),
    `# Optional: compose.yaml and \`npx projen dev\` run with these defaults. To change one, copy this file to ${ENV_FILE}`,
    `# (git ignores it) and edit it: cp .env.example ${ENV_FILE}`,
    ...entries.flatMap((e) => ['', `# ${e.comment}`, `${e.name}=${e.example}`]),
    '',
  ].join('\n');
}

/** verify's hardened profile, in compose's words, as the declared user (the hardened check runs an arbitrary uid instead). */
function hardening(r: ResolvedContainer): Record<string, unknown> {
  const h = r.hardened;
  return {
    user: `${r.uid}:${r.gid}`,
    read_only: h.readOnlyRootFilesystem,
    tmpfs: Object.entries(h.tmpfs).map(([path, options]) => (options ? `${path}:${options}` : path)),
    cap_drop: [...h.capDrop],
    ...(h.noNewPrivileges ? { security_opt: ['no-new-privileges:true'] } : {}),
  };
}

/**
 * The image's own HEALTHCHECK (no `test`: Docker keeps the image's), asked more often: Docker runs
 * the first check one interval after the start, so the image's interval would show "starting" for
 * that long. `start_interval` would do it during the start period only, but docker-compose 1.29 and
 * the Compose schema validated here do not know it yet; the check is cheap (readiness probes share
 * one database probe), so a short interval throughout is the portable equivalent.
 */
function apiHealthcheck(r: ResolvedContainer): Record<string, unknown> {
  const h = r.healthcheck;
  return {
    interval: `${COMPOSE_API_HEALTH_INTERVAL_S}s`,
    timeout: `${h.timeoutS}s`,
    retries: h.retries,
    start_period: `${h.startPeriodS}s`,
  };
}

/**
 * The stack for local development: the API, run with verify's hardened
 * profile as the declared user; with a database, PostgreSQL first and a
 * one-shot migration once it is healthy, and the API once the migration
 * succeeded. Pure.
 */
export function composeModel(r: ResolvedContainer, props: ComposeStackProps = {}): ComposeModel {
  if (!r.database && props.postgresImage !== undefined) fail('ComposeStack', 'postgresImage', 'needs the image to declare database', props.postgresImage);
  const postgresImage = check('ComposeStack', 'postgresImage', imageRef, props.postgresImage ?? POSTGRES_IMAGE);
  const hostPort = check('ComposeStack', 'hostPort', port, props.hostPort ?? r.port);

  const { api, migrate, postgres } = COMPOSE_SERVICES;
  const password = interpolated('POSTGRES_PASSWORD', DEV_POSTGRES_PASSWORD);
  const db = interpolated('POSTGRES_DB', databaseName(r));
  // Both services build the one Dockerfile; projen's model takes `build` or `image`, so the tag is an override.
  const app = {
    imageBuild: { context: '.' },
    environment: { ...r.env, ...(r.database ? { [DATABASE_URL_ENV]: stackDatabaseUrl(postgres, password, db) } : {}) },
  };
  // The tag docker:build gives it, so compose runs the image verify checks.
  const tag = { image: `${r.imageName}:${r.version}` };
  const conditions: Record<string, Record<string, string>> = r.database ? {
    ...(r.migrateCommand ? { [migrate]: { [postgres]: 'service_healthy' } } : {}),
    [api]: {
      [postgres]: 'service_healthy',
      ...(r.migrateCommand ? { [migrate]: 'service_completed_successfully' } : {}),
    },
  } : {};

  const services: Record<string, DockerComposeServiceDescription> = {
    ...(r.database ? {
      [postgres]: {
        image: postgresImage,
        environment: { POSTGRES_PASSWORD: password, POSTGRES_DB: db },
        volumes: [DockerCompose.namedVolume(POSTGRES_VOLUME, POSTGRES_DATA_DIR)],
      },
    } : {}),
    ...(r.migrateCommand ? { [migrate]: { ...app, command: [...r.migrateCommand] } } : {}),
    [api]: { ...app },
  };

  const h = POSTGRES_HEALTH;
  const serviceOverrides: Record<string, Record<string, unknown>> = {
    ...(r.database ? {
      [postgres]: {
        // For psql, the tests and the app run from source on this host; never beyond it.
        ports: [`${COMPOSE_PUBLISH_HOST}:${POSTGRES_PORT}:${POSTGRES_PORT}`],
        healthcheck: {
          test: ['CMD', 'pg_isready', '--host=127.0.0.1', `--port=${POSTGRES_PORT}`, '--username=postgres'],
          interval: `${h.intervalS}s`,
          timeout: `${h.timeoutS}s`,
          retries: h.retries,
          start_period: `${h.startPeriodS}s`,
        },
      },
    } : {}),
    // A one-shot job: the image's HEALTHCHECK probes a server this container never starts.
    ...(r.migrateCommand ? { [migrate]: { ...tag, ...hardening(r), healthcheck: { disable: true } } } : {}),
    // The short port form: projen's long form has no host_ip, and docker-compose 1.29 knows a host
    // address only in the short one.
    [api]: { ...tag, ports: [`${COMPOSE_PUBLISH_HOST}:${hostPort}:${r.port}`], ...hardening(r), healthcheck: apiHealthcheck(r) },
  };
  // projen's dependsOn renders a list, and an override cannot turn a list into compose's map of conditions.
  for (const [service, byDependency] of Object.entries(conditions)) {
    for (const dependency of Object.keys(byDependency)) {
      if (!services[dependency]) fail('ComposeStack', `services.${service}.depends_on`, 'must name a service of the stack', dependency);
    }
    serviceOverrides[service].depends_on = Object.fromEntries(
      Object.entries(byDependency).map(([dependency, condition]) => [dependency, { condition }]),
    );
  }

  const overrides: Record<string, unknown> = {};
  for (const [service, fields] of Object.entries(serviceOverrides)) {
    for (const [key, value] of Object.entries(fields)) overrides[`services.${service}.${key}`] = value;
  }
  return { services, overrides };
}

/**
 * `compose.yaml` for local development: the image, and with a database
 * PostgreSQL and its migrations, whose variables `.env.example` documents.
 * The services are projen's `DockerCompose`; what it lacks (conditions,
 * hardening, env_file, healthchecks) goes through `file.addOverride`.
 * `.env` is gitignored.
 */
export class ComposeStack extends Component {
  /** projen's model of the services; its own `docker-compose.yml` is not written. */
  public readonly compose: DockerCompose;
  /** `compose.yaml`, rendered from {@link compose}, with the overrides. */
  public readonly file: YamlFile;
  /** Written when the image declares a database: without one compose reads no variable. */
  public readonly envExample?: GeneratedFile;
  /** `DATABASE_URL` for the app run on this host against the stack's database, when the image declares one. */
  public readonly hostDatabaseUrl?: string;

  constructor(private readonly image: ContainerImage, private readonly props: ComposeStackProps = {}) {
    super(image.project);
    const project = image.project;
    this.compose = new DockerCompose(project);
    // DockerCompose names its file docker-compose.yml, always; the Compose Specification prefers
    // compose.yaml. Take its file out of the tree, with what its construction registered.
    const unused = this.compose.file.path;
    project.tryRemoveFile(unused);
    project.gitignore.removePatterns(`!/${unused}`);
    project.gitattributes.removeAttributes(`/${unused}`, 'linguist-generated');
    this.file = new YamlFile(project, props.path ?? 'compose.yaml', {
      committed: true,
      readonly: true,
      obj: () => this.compose._synthesizeDockerCompose(),
    });
    if (image.declared.database) {
      this.envExample = new GeneratedFile(project, '.env.example', {
        render: (marker) => renderEnvExample(envFileEntries(this.image.resolved), marker),
      });
      this.hostDatabaseUrl = hostDatabaseUrl(image.declared);
    }
    project.gitignore.exclude(`/${ENV_FILE}`);
  }

  /** The services and overrides, from the declaration as it stands at synthesis. */
  public get model(): ComposeModel {
    return composeModel(this.image.resolved, this.props);
  }

  public preSynthesize(): void {
    // Late, so assets, env and dependencies added after construction count.
    const { services, overrides } = this.model;
    for (const [name, description] of Object.entries(services)) this.compose.addService(name, description);
    for (const [path, value] of Object.entries(overrides)) this.file.addOverride(path, value);
  }
}
