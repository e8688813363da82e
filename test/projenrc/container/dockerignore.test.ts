import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import ignore from '@balena/dockerignore';
import { synthContainer } from './fixture';
import { describeIfEngine, DOCKER } from '../verify/engine-helpers';

const text: string = synthContainer().files['.dockerignore'];
const patterns = text.split('\n').filter((l) => l && !l.startsWith('#'));

/** What a project checkout may hold; `true` = the Dockerfile needs it in the context. */
const TREE: Record<string, boolean> = {
  'package.json': true,
  'package-lock.json': true,
  'tsconfig.json': true,
  'src/index.ts': true,
  'src/routes/health.ts': true,
  'config/default.json': true,
  'prompts/summary.md': true,
  'src/index.test.ts': false,
  '.projen/third-party-notices.cjs': true,
  '.projen/tasks.json': false,
  'src/.env': false,
  'config/.env.production': false,
  'config/tls.key': false,
  'prompts/cert.pem': false,
  'prompts/id_rsa.pub': false,
  'src/node_modules/x/index.js': false,
  '.env': false,
  '.git/HEAD': false,
  '.projenrc.ts': false,
  'projenrc/container/resolve.ts': false,
  'test/projenrc/a.test.ts': false,
  'node_modules/typescript/package.json': false,
  'lib/index.js': false,
  'coverage/lcov.info': false,
  'README.md': false,
  'tsconfig.dev.json': false,
  'Dockerfile': false,
  '.dockerignore': false,
};

describe('.dockerignore', () => {
  test('an allow-list of exactly what the Dockerfile copies, then the deny rules', () => {
    expect(patterns).toEqual([
      '**',
      '!package.json', '!package-lock.json', '!tsconfig.json', '!src', '!.projen/third-party-notices.cjs', '!config', '!prompts',
      '**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/node_modules', '**/*.test.ts', '**/*.spec.ts',
    ]);
  });

  test('moby-compatible matcher (@balena/dockerignore): only needed files enter the context', () => {
    const ig = ignore().add(patterns);
    const entering = Object.keys(TREE).filter((path) => !ig.ignores(path));
    expect(entering.sort()).toEqual(Object.keys(TREE).filter((path) => TREE[path]).sort());
  });
});

// scratch + a local export: no base image and no registry needed, only an engine.
describeIfEngine('.dockerignore in a real docker build', () => {
  test('the build context holds only the needed files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockerignore-'));
    for (const path of Object.keys(TREE)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), 'x');
    }
    writeFileSync(join(dir, '.dockerignore'), text);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    const out = join(dir, 'out');
    execFileSync(DOCKER, ['build', '--network', 'none', '-o', `type=local,dest=${out}`, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: 'pipe',
    });
    const files = walk(join(out, 'ctx')).map((f) => relative(join(out, 'ctx'), f));
    expect(files.sort()).toEqual(Object.keys(TREE).filter((path) => TREE[path]).sort());
  });
}, []);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
