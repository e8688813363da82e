/**
 * Drawn declarations of ContainerImage. Every valid one synthesizes files
 * their validators accept: the Dockerfile (dockerfile-utils, hadolint's
 * rules, ShellCheck on its RUN bodies), the spec (its one reader), the compose
 * file (the Compose Specification's schema), the Kubernetes manifests (kubectl
 * kustomize renders the base and each overlay, every object valid against the
 * Kubernetes OpenAPI models) and config/default.json (the app's own
 * loader, which ships without the package and restates its rules). Every
 * declaration with one field out of range or malformed fails at synthesis, in
 * one line that names the field.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, relative } from 'path';
import { validate } from 'dockerfile-utils';
import fc from 'fast-check';
import { parse } from 'yaml';
import { APP_CONFIG_VALUES, testProject } from './fixture';
import type { ContainerImageProps } from '../../../packages/projen-container/src';
import { ContainerImage } from '../../../packages/projen-container/src';
import type { BaseImageLock } from '../../../packages/projen-container/src/container/base-image-lock';
import { LOCK_PATH } from '../../../packages/projen-container/src/container/base-image-lock';
import {
  DEFAULT_NODE_MAJOR, DEFAULT_RUNTIME_IMAGE, DEFAULT_WORKERS, MINIMAL_PACKAGES, nodeImageOf, PLATFORM_ARCHES,
} from '../../../packages/projen-container/src/container/container-image-props';
import { parseSpec } from '../../../packages/projen-container/src/container/read-spec';
import { DERIVED_ENV, SECRET_KEY } from '../../../packages/projen-container/src/container/validation';
import { ComposeStack, KubernetesManifests } from '../../../packages/projen-container/src/deploy';
import { loadConfig } from '../../../src/config';
import { kustomizeAll, KUSTOMIZATIONS } from '../deploy/fixture';
import { openApiErrors } from '../deploy/openapi';
import { composeSchemaErrors } from '../deploy/validators';
import { parseStages, RULES, runBodies } from '../support/hadolint';
import { SHELLCHECK_AVAILABLE, shellcheck } from '../support/shellcheck';

const ASSETS = ['config', 'prompts'];

// The grammars below are written from the specifications (OCI names, RFC 3986 paths, POSIX names), not
// from the package's rules, so the test checks those rules rather than restating them.
const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
const imageName = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
// The app's Kubernetes objects are named after the image's last component, and a Service's name is an
// RFC 1035 label: a letter first (RFC 1035 §2.3.1). An OCI name whose last component starts with a digit
// fails there (test/projenrc/deploy/kubernetes.test.ts), so a valid declaration's does not.
const appImageName = fc.tuple(fc.array(component, { maxLength: 2 }), fc.stringMatching(/^[a-z][a-z0-9]{0,7}(?:[._-][a-z0-9]{1,8}){0,2}$/))
  .map(([path, last]) => [...path, last].join('/'));
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/).filter((t) => t !== 'latest');
const imageTag = fc.tuple(fc.option(fc.constantFrom('registry.example.com', 'localhost:5000'), { nil: undefined }), imageName, tag)
  .map(([host, name, t]) => `${host ? `${host}/` : ''}${name}:${t}`);
const urlPath = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,24}$/);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const envKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
  // The package's own exclusions: variables it derives, and keys that look like secrets.
  .filter((k) => !(DERIVED_ENV as readonly string[]).includes(k) && !SECRET_KEY.test(k));
const labelKey = fc.stringMatching(/^[a-z0-9]{1,8}(?:[.-][a-z0-9]{1,8}){0,3}$/).filter((k) => !k.startsWith('org.opencontainers.image.'));
// Without `"`, `\` and `$`: dockerfile-utils misreads `"\""`, which Docker accepts, and LABEL expands `$`
// (the derived `${VERSION}` labels rely on it), so a label's `$` is not literal.
const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _-./:=,@+%'.split('')), maxLength: 24 });

const validProps: fc.Arbitrary<ContainerImageProps> = fc.record({
  imageName: appImageName,
  port: fc.integer({ min: 1, max: 65535 }),
  paths: fc.uniqueArray(urlPath, { minLength: 3, maxLength: 3 }),
  declared: fc.record({ liveness: fc.boolean(), metrics: fc.boolean() }),
  sizeBudgetMb: fc.double({ min: 0.001, max: 100_000, noNaN: true }),
  shutdownTimeoutMs: fc.integer({ min: 1, max: 3_600_000 }),
  workers: optional(fc.integer({ min: 1, max: 64 })),
  user: optional(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,31}$/).filter((u) => u !== 'root')),
  uid: optional(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  gid: optional(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  database: fc.boolean(),
  runtime: optional(fc.constantFrom('minimal', 'debian', 'node') as fc.Arbitrary<'minimal' | 'debian' | 'node'>),
  nodeImage: optional(imageTag),
  runtimeImage: optional(imageTag),
  platforms: optional(fc.shuffledSubarray(['linux/amd64', 'linux/arm64'], { minLength: 1 })),
  engineHelp: optional(printable.filter((s) => s.trim() !== '')),
  env: fc.dictionary(envKey, printable, { maxKeys: 3 }),
  labels: fc.dictionary(labelKey, printable, { maxKeys: 3 }),
}).map(({ paths: [healthPath, livenessPath, metricsPath], declared, database, ...rest }) => ({
  ...rest,
  healthPath,
  ...(declared.liveness ? { livenessPath } : {}),
  ...(declared.metrics ? { metricsPath } : {}),
  ...(database ? { database: { engine: 'postgres' as const } } : {}),
  assets: ASSETS,
  // The Kubernetes manifests derive their registry image from a GitHub source.
  sourceUrl: 'https://github.com/acme/demo',
  // The app's other defaults: its loader needs them beside the declared facts.
  appConfig: { values: APP_CONFIG_VALUES },
}));

/**
 * The lock `npx projen docker:lock` writes, without which docker:build refuses to build: every package of
 * the minimal runtime on every platform, and, when `pinned`, the digests of the base images.
 */
function writeLock(outdir: string, props: ContainerImageProps, pinned: boolean): void {
  const tags = [props.nodeImage ?? nodeImageOf(DEFAULT_NODE_MAJOR), props.runtimeImage ?? DEFAULT_RUNTIME_IMAGE];
  const lock: BaseImageLock = {
    images: pinned ? Object.fromEntries(tags.map((t, i) => [t, `sha256:${String(i).repeat(64)}`])) : {},
    packages: Object.fromEntries(Object.entries(PLATFORM_ARCHES).map(([platform, { arch }]) => [platform,
      Object.fromEntries([...MINIMAL_PACKAGES.ships, ...MINIMAL_PACKAGES.tools].map((n) => [n, { version: '1.0-1', architecture: arch }]))])),
  };
  writeFileSync(join(outdir, LOCK_PATH), JSON.stringify(lock));
}

/** Synthesizes the image, its compose stack and manifests into a fresh temp project, reads it, and removes it. */
function synthesize(props: ContainerImageProps, pinned: boolean, read: (outdir: string, composeFile: string) => void = () => {}): void {
  const project = testProject(ASSETS);
  try {
    writeLock(project.outdir, props, pinned);
    const image = new ContainerImage(project, props);
    const stack = new ComposeStack(image);
    new KubernetesManifests(image);
    project.synth();
    read(project.outdir, stack.compose.file.path);
  } finally {
    rmSync(project.outdir, { recursive: true, force: true });
  }
}

describe('every valid declaration synthesizes files their validators accept', () => {
  test('the Dockerfile, the spec, the compose file, the Kubernetes manifests and the app\'s config defaults', () => {
    fc.assert(fc.property(validProps, fc.boolean(), (props, pinned) => synthesize(props, pinned, (outdir, composeFile) => {
      const read = (file: string) => readFileSync(join(outdir, file), 'utf8');

      const dockerfile = read('Dockerfile');
      expect(validate(dockerfile)).toEqual([]);
      const stages = parseStages(dockerfile);
      expect(Object.entries(RULES).flatMap(([rule, check]) => check(stages).map((v) => `${rule}: ${v}`))).toEqual([]);
      if (SHELLCHECK_AVAILABLE || process.env.CI) {
        for (const { line, shell, body, vars } of runBodies(stages)) {
          expect({ line, findings: shellcheck(body, shell, vars) }).toEqual({ line, findings: [] });
        }
      }

      const spec = parseSpec(JSON.parse(read('.projen/container.json')), 'container.json');
      expect(spec).toMatchObject({ imageName: props.imageName, port: props.port, healthPath: props.healthPath });

      expect(composeSchemaErrors(parse(read(composeFile)))).toEqual([]);

      const deploy = readdirSync(join(outdir, 'deploy'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile()).map((e) => relative(outdir, join(e.parentPath, e.name)));
      const rendered = Object.values(kustomizeAll(Object.fromEntries(deploy.map((f) => [f, read(f)])), KUSTOMIZATIONS)).flat();
      expect(rendered.length).toBeGreaterThan(0);
      expect(openApiErrors(rendered)).toEqual(rendered.map(() => []));

      const config = loadConfig({}, outdir);
      expect(config).toMatchObject({
        port: props.port,
        workers: props.workers ?? DEFAULT_WORKERS,
        healthPath: props.healthPath,
        livenessPath: props.livenessPath,
        metricsPath: props.metricsPath,
        shutdownTimeoutMs: props.shutdownTimeoutMs,
      });
    })), { numRuns: 25 });
  });
});

type Bad = [field: string, props: Partial<ContainerImageProps>];
const bad = (field: string, props: Partial<ContainerImageProps>): Bad => [field, props];

/** One field of a valid declaration, replaced with a value out of range or malformed. */
const invalidField: fc.Arbitrary<Bad> = fc.oneof(
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }), fc.double({ min: 1.1, max: 65534.9, noInteger: true }))
    .map((port) => bad('port', { port })),
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65 }), fc.double({ min: 1.1, max: 63.9, noInteger: true }))
    .map((workers) => bad('workers', { workers })),
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((n) => n + 2 ** 31 - 1))
    .chain((id) => fc.constantFrom(bad('uid', { uid: id }), bad('gid', { gid: id }))),
  fc.oneof(fc.double({ max: 0 }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY))
    .map((sizeBudgetMb) => bad('sizeBudgetMb', { sizeBudgetMb })),
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 3_600_001 }))
    .map((shutdownTimeoutMs) => bad('shutdownTimeoutMs', { shutdownTimeoutMs })),
  // Outside RFC 3986's unreserved characters, or not from the root.
  fc.tuple(fc.constantFrom('healthPath', 'livenessPath', 'metricsPath'), urlPath, fc.constantFrom(' ', '%', '"', "'", '?', '#', '\\', '\n', 'é'))
    .map(([field, path, char]) => bad(field, { [field]: `${path}${char}` })),
  urlPath.map((path) => bad('healthPath', { healthPath: `health${path}` })),
  fc.constant(bad('livenessPath', { healthPath: '/same', livenessPath: '/same' })),
  fc.tuple(imageName, fc.constantFrom('A', ' ', ':', '@', '_x', '-')).map(([name, prefix]) => bad('imageName', { imageName: `${prefix}${name}` })),
  fc.constantFrom('root', '1app', 'App', 'a b', '', 'a'.repeat(33)).map((user) => bad('user', { user })),
  fc.string().filter((r) => !['minimal', 'debian', 'node'].includes(r)).map((runtime) => bad('runtime', { runtime: runtime as 'node' })),
  fc.tuple(fc.constantFrom('nodeImage', 'runtimeImage'), imageName, fc.constantFrom('', ':latest', `:1@sha256:${'a'.repeat(64)}`, ':bad tag'))
    .map(([field, name, suffix]) => bad(field, { [field]: `${name}${suffix}` })),
  fc.constantFrom([], ['linux/riscv64'], ['linux/arm64', 'linux/arm64']).map((platforms) => bad('platforms', { platforms: [...platforms] })),
  fc.constantFrom('', ' ', 'two\nlines', 'cr\r').map((engineHelp) => bad('engineHelp', { engineHelp })),
  fc.constantFrom('API_TOKEN', 'DB_PASSWORD', 'PORT', '1X', 'A-B').map((key) => bad('env', { env: { [key]: 'x' } })),
  fc.constantFrom('Upper', 'org.opencontainers.image.title', 'a..b').map((key) => bad('labels', { labels: { [key]: 'x' } })),
  fc.constantFrom([], ['node', '']).map((argv) => bad('migrateCommand', { database: { engine: 'postgres' }, migrateCommand: [...argv] })),
);

describe('every declaration with one bad field fails at synthesis, in one line naming the field', () => {
  test('the drawn field, out of range or malformed', () => {
    fc.assert(fc.property(validProps, invalidField, (props, [field, edit]) => {
      let message: string | undefined;
      try {
        synthesize({ ...props, ...edit }, false);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBeDefined();
      expect(message).toMatch(new RegExp(`^ContainerImage: "${field}" [^\\n]*$`));
    }), { numRuns: 200 });
  });
});
