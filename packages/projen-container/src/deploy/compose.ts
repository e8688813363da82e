import { Component, DockerCompose } from 'projen';
import type { DockerComposeServiceDescription } from 'projen';
import { extendComposeFile } from './compose-extensions';
import type { ComposeHealthcheck, ComposeServiceExtension, DependsOnCondition } from './compose-extensions';
import {
  COMPOSE_API_HEALTH_INTERVAL_S, COMPOSE_PUBLISH_HOST, POSTGRES_DATA_DIR, POSTGRES_HEALTH, POSTGRES_IMAGE, POSTGRES_PORT,
} from './defaults';
import type { ContainerImage, ResolvedContainer } from '../container';
import { DATABASE_URL_ENV } from '../container/container-image-props';
import { check, fail, imageRef, port } from '../container/validation';
import { GeneratedFile } from '../generated-file';

/** The services of the compose file, by the names other services and the docs use. */
export const COMPOSE_SERVICES = { api: 'api', migrate: 'migrate', postgres: 'postgres' } as const;
/**
 * The uncommitted file that overrides the stack's defaults: compose reads it for `${VAR}`
 * interpolation, and a task that runs the app from source may read it too. Optional: without it every variable
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
}

/** One line of `.env.example`: a variable the stack reads from `.env`. */
export interface EnvFileEntry {
  readonly name: string;
  readonly example: string;
  /** Why it exists and who reads it. */
  readonly comment: string;
}

/** The compose file, resolved: what the component feeds projen's `DockerCompose`, and what it adds to its file. */
export interface ComposeModel {
  /** Described with projen's own types: image or build, command, environment, volumes, dependencies. */
  readonly services: Readonly<Record<string, DockerComposeServiceDescription>>;
  /** What `DockerCompose` cannot express, by service: see {@link ComposeServiceExtension}. */
  readonly extensions: Readonly<Record<string, ComposeServiceExtension>>;
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
      comment: `For the app run from source on this host only: the stack's postgres on ${COMPOSE_PUBLISH_HOST}; `
        + 'its password and database must match the two above. Compose builds its own URL for the services.',
    },
  ];
}

/** `.env.example`, rendered from {@link envFileEntries}, for the compose file at `composeFile`. Pure. */
export function renderEnvExample(entries: readonly EnvFileEntry[], composeFile: string, marker?: string): string {
  return [
    ...(marker ? [`# ${marker}`] : []),
    `# Optional: ${composeFile}, and the app run from source on this host, use these defaults. To change one, copy this file to ${ENV_FILE}`,
    `# (git ignores it) and edit it: cp .env.example ${ENV_FILE}`,
    ...entries.flatMap((e) => ['', `# ${e.comment}`, `${e.name}=${e.example}`]),
    '',
  ].join('\n');
}

/** verify's hardened profile, in compose's words, as the declared user (the hardened check runs an arbitrary uid instead). */
function hardening(r: ResolvedContainer): ComposeServiceExtension {
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
function apiHealthcheck(r: ResolvedContainer): ComposeHealthcheck {
  const h = r.healthcheck;
  return {
    interval: `${COMPOSE_API_HEALTH_INTERVAL_S}s`,
    timeout: `${h.timeoutS}s`,
    retries: h.retries,
    start_period: `${h.startPeriodS}s`,
  };
}

/** pg_isready over TCP, as the app connects, with the stack's timing. */
function postgresHealthcheck(): ComposeHealthcheck {
  const h = POSTGRES_HEALTH;
  return {
    test: ['CMD', 'pg_isready', '--host=127.0.0.1', `--port=${POSTGRES_PORT}`, '--username=postgres'],
    interval: `${h.intervalS}s`,
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
  // Both services build the one Dockerfile, run as the tag docker:build gives it, so compose runs the image verify checks.
  const app = {
    imageBuild: { context: '.' },
    environment: { ...r.env, ...(r.database ? { [DATABASE_URL_ENV]: stackDatabaseUrl(postgres, password, db) } : {}) },
  };
  const tag = `${r.imageName}:${r.version}`;
  // What each service waits for: projen's dependsOn names the services, the extension adds the conditions.
  const conditions: Record<string, Record<string, DependsOnCondition>> = r.database ? {
    ...(r.migrateCommand ? { [migrate]: { [postgres]: 'service_healthy' } } : {}),
    [api]: {
      [postgres]: 'service_healthy',
      ...(r.migrateCommand ? { [migrate]: 'service_completed_successfully' } : {}),
    },
  } : {};
  const dependsOn = (service: string) => Object.keys(conditions[service] ?? {}).map((d) => DockerCompose.serviceName(d));

  const services: Record<string, DockerComposeServiceDescription> = {
    ...(r.database ? {
      [postgres]: {
        image: postgresImage,
        environment: { POSTGRES_PASSWORD: password, POSTGRES_DB: db },
        volumes: [DockerCompose.namedVolume(POSTGRES_VOLUME, POSTGRES_DATA_DIR)],
      },
    } : {}),
    ...(r.migrateCommand ? { [migrate]: { ...app, command: [...r.migrateCommand], dependsOn: dependsOn(migrate) } } : {}),
    [api]: { ...app, dependsOn: dependsOn(api) },
  };

  const extensions: Record<string, ComposeServiceExtension> = {
    ...(r.database ? {
      [postgres]: {
        // For psql, the tests and the app run from source on this host; never beyond it.
        ports: [`${COMPOSE_PUBLISH_HOST}:${POSTGRES_PORT}:${POSTGRES_PORT}`],
        healthcheck: postgresHealthcheck(),
      },
    } : {}),
    // A one-shot job: the image's HEALTHCHECK probes a server this container never starts.
    ...(r.migrateCommand ? { [migrate]: { image: tag, ...hardening(r), healthcheck: { disable: true }, depends_on: conditions[migrate] } } : {}),
    [api]: {
      image: tag,
      ports: [`${COMPOSE_PUBLISH_HOST}:${hostPort}:${r.port}`],
      ...hardening(r),
      healthcheck: apiHealthcheck(r),
      depends_on: conditions[api],
    },
  };
  return { services, extensions };
}

/**
 * The compose file for local development: the image, and with a database
 * PostgreSQL and its migrations, whose variables `.env.example` documents.
 * The services are projen's `DockerCompose`; what it cannot express
 * (conditions, hardening, healthchecks, loopback ports, the built image's
 * tag) is added in one place, `deploy/compose-extensions.ts`.
 * `.env` is gitignored.
 */
export class ComposeStack extends Component {
  /**
   * projen's model of the services, which owns the file: `docker-compose.yml`, the name projen
   * gives it and both `docker compose` and docker-compose 1.29 find.
   */
  public readonly compose: DockerCompose;
  /** Written when the image declares a database: without one compose reads no variable. */
  public readonly envExample?: GeneratedFile;
  /** `DATABASE_URL` for the app run on this host against the stack's database, when the image declares one. */
  public readonly hostDatabaseUrl?: string;

  constructor(private readonly image: ContainerImage, private readonly props: ComposeStackProps = {}) {
    super(image.project);
    const project = image.project;
    this.compose = new DockerCompose(project);
    if (image.declared.database) {
      this.envExample = new GeneratedFile(project, '.env.example', {
        render: (marker) => renderEnvExample(envFileEntries(this.image.resolved), this.compose.file.path, marker),
      });
      this.hostDatabaseUrl = hostDatabaseUrl(image.declared);
    }
    project.gitignore.exclude(`/${ENV_FILE}`);
  }

  /** The services and their extensions, from the declaration as it stands at synthesis. */
  public get model(): ComposeModel {
    return composeModel(this.image.resolved, this.props);
  }

  public preSynthesize(): void {
    // Late, so assets, env and dependencies added after construction count.
    const { services, extensions } = this.model;
    const added = Object.fromEntries(Object.entries(services).map(([name, description]) => [name, this.compose.addService(name, description)]));
    extendComposeFile(this.compose.file, added, extensions);
  }
}
