import type { RenovatePin } from '../renovate';
import { ownSourcePin } from '../source-file';

/**
 * The PostgreSQL image, written once: the workflows' service container, and
 * compose's database (deploy/defaults.ts derives from it). The major
 * Debian trixie ships (the release the runtime image is built on), on the
 * same Debian release. A tag per major, never `latest`: a new major needs
 * `pg_upgrade` or a dump of the volume, so it must be a deliberate edit. Not
 * 18: its images moved the data directory (and the volume) to
 * `/var/lib/postgresql`, so the volume target is major-specific too.
 */
export const POSTGRES_IMAGE = 'postgres:17-trixie';

/**
 * Renovate's view of {@link POSTGRES_IMAGE}, where the project holds this file as source (see `ownSourcePin`):
 * newer tags of the same image, proposed where it is declared.
 */
export function postgresPin(projectDir: string): RenovatePin | undefined {
  return ownSourcePin(projectDir, __filename, {
    description: 'PostgreSQL image',
    matchString: "POSTGRES_IMAGE = '(?<depName>postgres):(?<currentValue>[^'@]+)'",
    datasource: 'docker',
  });
}

/** PostgreSQL's port: the service container's, mapped to the same port on the runner, and compose's and the cluster's. */
export const POSTGRES_PORT = 5432;

/** The service container's superuser URL (trust auth, its default database), reached at `host`. */
export const postgresServiceUrl = (host: string): string => `postgres://postgres@${host}:${POSTGRES_PORT}/postgres`;

/**
 * A PostgreSQL service container on the runner's loopback at {@link POSTGRES_PORT} with trust auth, ready before the
 * steps start: container.yml's verify runs the database check against it, and a project's own tests
 * may too.
 */
export function postgresService(): Record<string, unknown> {
  return {
    image: POSTGRES_IMAGE,
    env: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
    ports: [`${POSTGRES_PORT}:${POSTGRES_PORT}`],
    options: '--health-cmd "pg_isready -U postgres" --health-interval 2s --health-timeout 5s --health-retries 15',
  };
}
