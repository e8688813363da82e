import { posix } from 'path';
import type { CheckPlan, CommandCheck, FileExistenceCheck, MetadataCheck, RuntimeCheck } from './check-plan';
import { archOf, PLATFORM_ARCHES } from './container-image-props';
import { DPKG_STATUS_DIR } from './dockerfile';
import type { ResolvedContainer } from './resolved-container';
import { SECRET_KEY } from './validation';

/** Package managers a runtime image has no use for. */
export const PACKAGE_MANAGERS = ['npm', 'npx', 'corepack', 'yarn'] as const;
/** Where the node images keep npm itself. */
export const NPM_HOME = '/usr/local/lib/node_modules/npm';

/** The resolved container before its checks, which are derived from the rest. */
type Unchecked = Omit<ResolvedContainer, 'checks'>;

/**
 * The check plan of an image, derived from its resolved declaration alone:
 * each policy value (user, paths, timing, profile, stop limit, migrate
 * command) is read from the declaration, never restated. Pure.
 */
export function deriveChecks(r: Unchecked): CheckPlan {
  return { commands: commands(r), fileExistence: fileExistence(r), metadata: metadata(r), runtime: runtime(r) };
}

function commands(r: Unchecked): CommandCheck[] {
  return [
    { name: 'whoami', title: `\`whoami\` prints ${r.user}: \`docker run --rm <image> whoami\` names the user the image runs as`, command: ['whoami'], expectedOutput: r.user },
    // node, not `id`: the one program every Node image has.
    { name: 'uid', title: `the default user's uid is ${r.uid}, not 0`, command: ['node', '-p', 'process.getuid()'], expectedOutput: String(r.uid) },
    ...r.platforms.map((platform): CommandCheck => ({
      name: `arch-${archOf(platform)}`,
      title: `on ${platform}, node is the ${PLATFORM_ARCHES[platform].nodeArch} build, taken from that platform's locked base`,
      platform,
      command: ['node', '-p', 'process.arch'],
      expectedOutput: PLATFORM_ARCHES[platform].nodeArch,
    })),
    ...r.platforms.flatMap((platform) => dpkgStatus(r, platform)),
  ];
}

/**
 * What a scanner reads: one status entry per shipped package, named after
 * it, with the locked version and architecture, and no other entry. Read
 * with node, the one program the image has to read them with.
 */
function dpkgStatus(r: Unchecked, platform: string): CommandCheck[] {
  const shipped = r.debianPackages.filter((p) => p.ships).sort((a, b) => a.name.localeCompare(b.name));
  if (!shipped.length) return [];
  const script = `const fs=require('fs'),d='${DPKG_STATUS_DIR}/';`
    + 'process.stdout.write(fs.readdirSync(d).sort().map((p)=>{const t=fs.readFileSync(d+p,\'utf8\'),'
    + 'f=(k)=>(t.match(new RegExp(\'^\'+k+\': (.*)$\',\'m\'))||[])[1];'
    + 'return p+\' \'+f(\'Package\')+\' \'+f(\'Version\')+\' \'+f(\'Architecture\')}).join(\'; \'))';
  return [{
    name: `dpkg-status-${archOf(platform)}`,
    title: `on ${platform}, scanners see the runtime's Debian packages: a ${DPKG_STATUS_DIR} entry for each of ${shipped.map((p) => p.name).join(', ')}, at the version locked there`,
    platform,
    command: ['node', '-e', script],
    expectedOutput: shipped.map((p) => {
      const locked = p.locked[platform];
      return `${p.name} ${p.name} ${locked?.version ?? '(unlocked)'} ${locked?.architecture ?? '(unlocked)'}`;
    }).join('; '),
  }];
}

function fileExistence(r: Unchecked): FileExistenceCheck[] {
  const app = (rel: string) => posix.join(r.workdir, rel);
  const bins = [...new Set(Object.values(r.devDependencies).flat())].sort();
  const npm = r.runtime === 'node';
  const managers = PACKAGE_MANAGERS.filter((m) => !(npm && (m === 'npm' || m === 'npx')));
  return [
    { name: 'assets', title: 'the declared runtime assets ship', shouldExist: true, paths: r.assets.map(app) },
    { name: 'entrypoint', title: 'the bundled entry point ships', shouldExist: true, kind: 'file', paths: [app(r.entrypoint)] },
    {
      name: 'bundled',
      title: 'no node_modules: every dependency is in the bundle',
      shouldExist: false,
      paths: [app('node_modules')],
    },
    {
      name: 'third-party-notices',
      title: 'the licences of the bundled packages ship',
      shouldExist: true,
      kind: 'file',
      paths: [app(r.bundle.noticesFile)],
    },
    {
      name: 'bundled-manifests',
      title: 'a manifest of each bundled package ships, where scanners read package.json files',
      shouldExist: true,
      kind: 'dir',
      paths: [app(r.bundle.manifestsDir)],
    },
    {
      name: 'no-dev-binaries',
      title: 'no devDependency\'s executable is on PATH',
      shouldExist: false,
      paths: [],
      commands: bins,
    },
    {
      name: 'no-package-managers',
      title: npm ? 'no package manager but npm' : 'no package manager: the runtime needs node only',
      shouldExist: false,
      paths: npm ? [] : [NPM_HOME],
      commands: managers,
    },
    ...(r.runtime === 'minimal' ? [{
      name: 'os-release',
      title: 'scanners can tell the distribution: /etc/os-release ships, beside the dpkg status entries',
      shouldExist: true,
      kind: 'file' as const,
      paths: ['/etc/os-release'],
    }, {
      name: 'no-shell',
      title: 'no shell, no package manager or its status file: nothing but node, its libraries, CA certificates and whoami',
      shouldExist: false,
      paths: ['/bin/sh', '/usr/bin/sh', '/bin/bash', '/usr/bin/dpkg', '/var/lib/dpkg/status', '/usr/bin/apt-get'],
    }] : []),
    { name: 'no-caches', title: 'no npm cache of any user', shouldExist: false, paths: ['~/.npm'] },
    {
      name: 'no-build-inputs',
      title: 'no sources, tests, compiler or projen config',
      shouldExist: false,
      paths: [r.srcdir, ...r.buildOnlyPaths, r.tsconfigFile].map(app),
    },
    { name: 'no-secrets-or-vcs', title: 'no .env file or .git folder anywhere in the app', shouldExist: false, paths: [app('**/.env*'), app('**/.git')] },
  ];
}

function metadata(r: Unchecked): MetadataCheck[] {
  return [
    { name: 'exposed-port', title: `EXPOSE ${r.port}`, field: 'exposedPort', port: r.port },
    { name: 'exec-cmd', title: 'exec-form CMD: node is PID 1 and receives SIGTERM', field: 'cmd', cmd: r.cmd },
    { name: 'env', title: 'the runtime environment', field: 'env', env: r.env },
    { name: 'user', title: 'a numeric non-root USER, so runAsNonRoot can verify it', field: 'user', user: `${r.uid}:${r.gid}` },
    { name: 'labels', title: 'the OCI labels are set', field: 'labels', keys: Object.keys(r.labels) },
    { name: 'no-secret-env', title: 'no ENV key that looks like a secret', field: 'noSecretEnv', pattern: SECRET_KEY.source },
    { name: 'healthcheck', title: 'a HEALTHCHECK with the declared timing', field: 'healthcheck', timing: r.healthcheck },
    { name: 'size', title: `at most ${r.sizeBudgetMb} MB uncompressed`, field: 'size', maxMb: r.sizeBudgetMb },
  ];
}

function runtime(r: Unchecked): RuntimeCheck[] {
  const tmpfs = Object.keys(r.hardened.tmpfs).join(', ');
  return [
    { name: 'healthy', title: `its HEALTHCHECK turns healthy and GET ${r.healthPath} answers 200`, kind: 'healthy', path: r.healthPath },
    {
      name: 'hardened',
      title: `the same as uid ${r.hardened.user}, read-only root with tmpfs ${tmpfs}, capabilities ${r.hardened.capDrop.join(', ')} dropped, no-new-privileges`,
      kind: 'hardened',
      path: r.healthPath,
      profile: r.hardened,
    },
    { name: 'stop', title: `docker stop exits 0 within ${r.stopLimitMs / 1000} s`, kind: 'stop', limitMs: r.stopLimitMs },
    ...(r.migrateCommand ? [{
      name: 'database',
      title: `with VERIFY_DATABASE_URL: \`${r.migrateCommand.join(' ')}\` exits 0, then GET ${r.healthPath} reports the database ok`,
      kind: 'database' as const,
      command: r.migrateCommand,
      path: r.healthPath,
    }] : []),
  ];
}
