import { BUNDLE_OUTDIR, bundleCommand, noticesCommand } from './bundle';
import { archOf } from './container-image-props';
import type { DockerInstruction, DockerStage, DockerfileModel } from './dockerfile-model';
import { BUILD_PLATFORM } from './dockerfile-model';
import { imageInstall, NPM_CACHE, setupCommand } from './package-manager';
import type { ResolvedContainer } from './resolved-container';

/** Build args the `docker:build` task fills in; the defaults keep a bare `docker build` reproducible. */
export const BUILD_ARGS = { REVISION: 'unknown', CREATED: '1970-01-01T00:00:00Z' } as const;

/**
 * The HEALTHCHECK command. No curl in node images: node's own fetch, with
 * PORT read at run time so `-e PORT=...` keeps the probe on the app.
 */
export function healthcheckArgv(r: Pick<ResolvedContainer, 'port' | 'healthPath'>): string[] {
  const script = `fetch('http://127.0.0.1:'+(process.env.PORT||${r.port})+'${r.healthPath}')`
    + '.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))';
  return ['node', '-e', script];
}

/** The Dockerfile as data: only the last stage ships. Pure. */
export function dockerfileModel(r: ResolvedContainer): DockerfileModel {
  const pm = r.packageManager;
  const install = imageInstall(pm);
  const setup = setupCommand(pm);
  const setupStep: DockerInstruction[] = setup ? [{
    kind: 'RUN',
    mounts: [{ type: 'cache', target: NPM_CACHE }],
    command: setup,
    comment: `${pm.name} at the version package.json's packageManager names, before the manifests: a manifest edit reuses it.`,
  }] : [];
  return {
    stages: [
      {
        name: 'build',
        from: r.baseImages.build,
        platform: BUILD_PLATFORM,
        comment: 'Bundles the app: each file the image runs with node becomes one file holding its dependencies, so the\n'
          + `image ships no node_modules and start-up resolves no modules. NODE_ENV stays unset: ${pm.install} must install\n`
          + 'the devDependency esbuild. On the builder\'s own platform, for every target: JavaScript is the same\n'
          + 'everywhere, and nothing runs emulated.',
        instructions: [
          { kind: 'WORKDIR', path: r.workdir },
          ...setupStep,
          { kind: 'COPY', sources: ['package.json', pm.lockFile], dest: './', comment: 'Manifests first: a source edit reuses the installed node_modules layer.' },
          {
            kind: 'RUN',
            mounts: [{ type: 'cache', target: install.cache }],
            command: install.command,
            comment: 'No package needs an install script (esbuild\'s binary comes as an optional package); skipping them keeps\n'
              + `a compromised devDependency from running code here, whatever ${pm.name}'s own default.`,
          },
          { kind: 'COPY', sources: [r.tsconfigFile], dest: './', comment: 'esbuild reads the compiler options that change its output from it.' },
          { kind: 'COPY', sources: [r.srcdir], dest: `./${r.srcdir}` },
          ...bundledScripts(r).map((s): DockerInstruction => ({ kind: 'COPY', sources: [s], dest: `./${s}` })),
          { kind: 'COPY', sources: [r.bundle.noticesScript], dest: './' },
          {
            kind: 'RUN',
            command: `${bundleCommand(r.bundle, r.nodeMajor)} && ${noticesCommand(r.bundle)}`,
            comment: 'The bundler itself, not projen: the projen config never enters the image. It only transpiles; the\n'
              + 'project\'s build type-checks. The notices keep the licence of every package the bundle took in, and a\n'
              + 'manifest of each lets scanners find it.',
          },
        ],
      },
      {
        name: 'files',
        from: r.baseImages.build,
        platform: BUILD_PLATFORM,
        comment: 'The runtime files taken from the context, with group/world write bits dropped: COPY keeps the\n'
          + 'modes of the checkout, and a umask of 002 there must not make the app writable in the image.',
        instructions: [
          { kind: 'WORKDIR', path: r.workdir },
          { kind: 'COPY', sources: ['package.json'], dest: './' },
          ...r.assets.map((a): DockerInstruction => ({ kind: 'COPY', sources: [a], dest: `./${a}` })),
          { kind: 'RUN', command: 'chmod -R go-w .' },
        ],
      },
      ...runtimeStages(r),
    ],
  };
}

/** Exactly what the Dockerfile COPYs from the build context. */
export function contextPaths(r: ResolvedContainer): string[] {
  return ['package.json', r.packageManager.lockFile, r.tsconfigFile, r.srcdir, r.bundle.noticesScript, ...r.assets];
}

/** Bundle sources outside the source folder: scripts among the assets. */
function bundledScripts(r: ResolvedContainer): string[] {
  return r.bundle.entries.map((e) => e.source).filter((s) => !s.startsWith(`${r.srcdir}/`));
}

/** The empty image the minimal runtime starts FROM. */
export const SCRATCH = 'scratch';

/** The image the runtime stage starts FROM: what the image adds its payload to. Pure. */
export function runtimeFrom(r: Pick<ResolvedContainer, 'runtime' | 'baseImages'>): string {
  switch (r.runtime) {
    case 'minimal': return SCRATCH;
    case 'node': return r.baseImages.build;
    case 'debian': return r.baseImages.runtime;
  }
}

/** PATH of the minimal runtime, which starts from an empty image. */
export const MINIMAL_PATH = '/usr/local/bin:/usr/bin';

const NODE_BINARY = '/usr/local/bin/node';

/** The stages that make the image: the minimal one needs a stage to assemble its root filesystem. */
function runtimeStages(r: ResolvedContainer): DockerStage[] {
  const app = (env: Record<string, string>): DockerInstruction[] => [
    { kind: 'WORKDIR', path: r.workdir },
    { kind: 'COPY', from: 'files', sources: [`${r.workdir}/`], dest: './' },
    { kind: 'COPY', from: 'build', sources: [`${r.workdir}/${BUNDLE_OUTDIR}/`], dest: './', comment: 'Over the assets: a bundled script replaces its source.' },
    { kind: 'ENV', vars: env },
    { kind: 'EXPOSE', port: r.port },
    { kind: 'USER', user: `${r.uid}:${r.gid}`, comment: `Numeric (= ${r.user}), so runAsNonRoot policies can verify it without reading /etc/passwd.` },
    { kind: 'HEALTHCHECK', ...r.healthcheck, argv: healthcheckArgv(r) },
    { kind: 'CMD', argv: r.cmd, comment: 'node as PID 1, no npm or shell in between: SIGTERM reaches the app.' },
    {
      kind: 'ARG',
      name: 'REVISION',
      default: BUILD_ARGS.REVISION,
      comment: 'Last, so a new commit only changes the metadata, never a cached layer.',
    },
    { kind: 'ARG', name: 'CREATED', default: BUILD_ARGS.CREATED },
    { kind: 'ARG', name: 'VERSION', default: r.version, comment: 'A release tag\'s version; the app reports it on its health endpoint.' },
    { kind: 'ENV', vars: { APP_VERSION: '${VERSION}' }, expand: true },
    { kind: 'LABEL', labels: r.labels },
  ];
  const why = 'What ships: node, the bundled app with its third-party notices and manifests, and the declared assets, owned by root\n'
    + 'and read-only for the app user, which holds no home and no shell.';
  const addUser: DockerInstruction = {
    kind: 'RUN',
    command: `groupadd --system --gid ${r.gid} ${r.user} && useradd --system --no-log-init --uid ${r.uid} --gid ${r.gid} --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin ${r.user}`,
  };
  switch (r.runtime) {
    case 'node':
      return [{ name: 'runtime', from: runtimeFrom(r), comment: `${why} npm stays (runtime: node).`, instructions: [addUser, ...app(r.env)] }];
    case 'debian':
      return [{
        name: 'runtime',
        from: runtimeFrom(r),
        comment: why,
        instructions: [
          addUser,
          {
            kind: 'COPY',
            from: r.baseImages.build,
            sources: [NODE_BINARY],
            dest: NODE_BINARY,
            comment: 'node is one binary, the target platform\'s build from the node image; its libraries come with the base.',
          },
          ...app(r.env),
        ],
      }];
    case 'minimal':
      return [rootfsStage(r), {
        name: 'runtime',
        from: runtimeFrom(r),
        comment: why,
        instructions: [
          { kind: 'COPY', from: 'rootfs', sources: ['/rootfs/'], dest: '/' },
          // An empty base sets no PATH; node and whoami are all there is to find.
          ...app({ PATH: MINIMAL_PATH, ...r.env }),
        ],
      }];
  }
}

/** Where the minimal runtime keeps one dpkg status entry per shipped package, as distroless does. */
export const DPKG_STATUS_DIR = '/var/lib/dpkg/status.d';

/**
 * The rootfs stage's shell: bash with pipefail, so a failing `ldd` fails its
 * pipeline (hadolint DL4006), where Debian's /bin/sh has no pipefail.
 */
export const ROOTFS_SHELL = ['/bin/bash', '-o', 'pipefail', '-c'] as const;

/**
 * The minimal runtime's root filesystem, assembled the way distroless is:
 * files picked out of Debian's own packages, installed at the versions the
 * lock holds, in a stage that never ships.
 */
function rootfsStage(r: ResolvedContainer): DockerStage {
  const passwd = `root:x:0:0:root:/root:/usr/sbin/nologin\\n${r.user}:x:${r.uid}:${r.gid}::/nonexistent:/usr/sbin/nologin\\n`;
  const group = `root:x:0:\\n${r.user}:x:${r.gid}:\\n`;
  const packages = [...r.debianPackages].sort((a, b) => a.name.localeCompare(b.name));
  const ships = packages.filter((p) => p.ships).map((p) => p.name);
  const install = (platform: string) => `apt-get install -y --no-install-recommends ${packages.map((p) => {
    const version = p.locked[platform]?.version;
    return version ? `${p.name}=${version}` : p.name;
  }).join(' ')}`;
  const lines = [
    'set -eux',
    'apt-get update',
    // One branch per platform: each architecture has its own builds, locked at their own versions.
    [
      'case "$TARGETARCH" in',
      ...r.platforms.map((platform) => `  ${archOf(platform)}) ${install(platform)} ;;`),
      '  *) echo "no Debian packages are locked for $TARGETARCH" >&2; exit 1 ;;',
      'esac',
    ].join(' \\\n    '),
    `if ldd ${NODE_BINARY} /usr/bin/whoami | grep 'not found'; then exit 1; fi`,
    `mapfile -t libs < <(ldd ${NODE_BINARY} /usr/bin/whoami | sed -n 's|.*[[:space:]]\\(/[^ ]*\\) (0x.*|\\1|p' | sort -u)`,
    // A library from a package the list does not name would ship without a status entry: refuse it.
    `for f in "\${libs[@]}"; do owner="$(dpkg-query --search "$(realpath "$f")")"; case "\${owner%%:*}" in ${ships.join('|')}) ;; *) echo "$f is from \${owner%%:*}, which is not among the runtime's declared packages" >&2; exit 1 ;; esac; done`,
    `mkdir -p /rootfs/tmp /rootfs/usr/local/bin /rootfs${DPKG_STATUS_DIR}`,
    'chmod 1777 /rootfs/tmp',
    'for f in /usr/bin/whoami /etc/os-release /etc/ssl/certs/ca-certificates.crt "${libs[@]}"; do cp -L --parents "$f" /rootfs; done',
    `for p in ${ships.join(' ')}; do dpkg-query --status "$p" >"/rootfs${DPKG_STATUS_DIR}/$p"; done`,
    `strip --strip-all -o /rootfs${NODE_BINARY} ${NODE_BINARY}`,
    `printf '${passwd}' >/rootfs/etc/passwd`,
    `printf '${group}' >/rootfs/etc/group`,
    'printf \'passwd: files\\ngroup: files\\nhosts: files dns\\n\' >/rootfs/etc/nsswitch.conf',
    'chroot /rootfs /usr/bin/whoami',
  ];
  return {
    name: 'rootfs',
    from: r.baseImages.runtime,
    comment: 'The minimal runtime\'s root filesystem, on the target platform (emulated when it is not the builder\'s), from\n'
      + 'Debian\'s own packages at the versions container.lock.json locks for it, and that platform\'s node:\n'
      + 'whoami (so that `docker run <image> whoami` names the user), the loader and the libraries ldd lists for\n'
      + 'node and whoami (glibc >= 2.34 has NSS "files" built in), the CA bundle, os-release, and passwd/group for root\n'
      + `and the app user. Each shipped package gets its dpkg status entry in ${DPKG_STATUS_DIR}, so scanners see it.\n`
      + 'node loses its symbol table (127 -> 108 MB); its dynamic symbols stay, so native addons still link. The last\n'
      + 'line proves loader, libc and passwd work before anything ships.',
    instructions: [
      { kind: 'SHELL', argv: ROOTFS_SHELL },
      { kind: 'ARG', name: 'TARGETARCH', comment: 'BuildKit sets it to the target\'s architecture, e.g. arm64.' },
      {
        kind: 'RUN',
        mounts: [{ type: 'bind', from: r.baseImages.build, source: NODE_BINARY, target: NODE_BINARY }],
        command: lines.join('; \\\n    '),
      },
    ],
  };
}
