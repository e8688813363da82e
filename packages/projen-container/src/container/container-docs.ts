import { Component } from 'projen';
import { LOCK_PATH } from './base-image-lock';
import type { CheckCategory } from './check-plan';
import { EMULATED_TIME_FACTOR, planEntries } from './check-plan';
import type { ContainerImage } from './container-image';
import { IMAGE_TASKS } from './container-image';
import type { RuntimeKind } from './container-image-props';
import { DATABASE_URL_ENV, DEFAULT_NODE_MAJOR, PLATFORM_ARCHES } from './container-image-props';
import { DPKG_STATUS_DIR, dockerfileModel } from './dockerfile';
import type { DockerfileModel } from './dockerfile-model';
import { platformTag } from './image-tags';
import type { ResolvedContainer } from './resolved-container';
import { GeneratedFile } from '../generated-file';

/** The heading of each category's part of the checks table. */
export const CATEGORY_TITLES: Record<CheckCategory, string> = {
  commands: 'Commands',
  fileExistence: 'Files',
  metadata: 'Metadata',
  runtime: 'Runtime',
};

/** `docs/container.md`: the image, its contract and its checks, rendered from the resolved declaration. */
export class ContainerDocs extends Component {
  public readonly file: GeneratedFile;

  constructor(image: ContainerImage, path = 'docs/container.md') {
    super(image.project);
    this.file = new GeneratedFile(image.project, path, {
      render: (marker) => {
        const resolved = image.resolved;
        return renderContainerDocs(resolved, dockerfileModel(resolved), marker);
      },
    });
  }
}

const code = (s: string) => `\`${s}\``;

const RUNTIME_DOCS: Record<RuntimeKind, (r: ResolvedContainer) => string> = {
  minimal: (r) => `The runtime (${code('runtime: minimal')}) starts from an empty image. It holds node, the libraries `
    + `${code('ldd')} lists for it and for ${code('whoami')}, the CA certificates, ${code('/etc/os-release')}, and the passwd and `
    + `group entries of root and ${code(r.user)}, all taken from Debian's own packages in the ${code('rootfs')} stage (assembled in `
    + `${code(r.baseImages.runtime)}, each package installed at the version ${code(LOCK_PATH)} locks): no shell, no package `
    + 'manager. node\'s symbol table is stripped (its dynamic symbols stay, so native addons still link). '
    + `${code('runtime: debian')} gives a shell to debug with.`
    + '\n\n### What a scanner sees\n\n'
    + `Each Debian package whose files ship has its dpkg status entry in ${code(DPKG_STATUS_DIR)}, as distroless images have, `
    + 'written from dpkg\'s own record of the installed package, so Trivy, Grype and Syft report these OS packages with their '
    + 'versions, and their CVEs:\n\n'
    + `| Package | ${r.platforms.join(' | ')} |\n| --- |${' --- |'.repeat(r.platforms.length)}\n`
    + r.debianPackages.filter((p) => p.ships).map((p) => `| ${code(p.name)} | ${r.platforms.map((platform) => {
      const locked = p.locked[platform];
      return locked?.version ? `${code(locked.version)} (${locked.architecture})` : 'not locked';
    }).join(' | ')} |`).join('\n')
    + `\n\nA scanner cannot see: the ${code('node')} binary, which comes from the ${code('node')} image (${code(r.baseImages.build)}), `
    + 'not from a Debian package: no dpkg status entry names it, so its CVEs must be followed by its version (the node image\'s '
    + 'tag, renewed with the lock), and the build-only tools ('
    + (r.debianPackages.filter((p) => !p.ships).map((p) => code(p.name)).join(', ') || 'none')
    + '), which never ship.'
    + '\n\nThe npm packages are bundled into the app\'s files, so no node_modules ships; each one\'s name, version and licence '
    + `stand in ${code(`${r.workdir}/${r.bundle.manifestsDir}/<name>@<version>/package.json`)}, the file Trivy, Grype and Syft `
    + `read to find npm packages in an image, and ${code(`${r.workdir}/${r.bundle.noticesFile}`)} keeps their licence texts. `
    + `${code(r.packageManager.lockFile)} pins them.`,
  debian: (r) => `The runtime (${code('runtime: debian')}) starts from ${code(r.baseImages.runtime)} with only the `
    + `${code('node')} binary copied in: a shell to debug with, but no npm, npx or yarn.`,
  node: (r) => `The runtime (${code('runtime: node')}) starts from ${code(r.baseImages.runtime)}, so npm ships in the image.`,
};
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The platforms section: what each platform's image is, how it is built, verified and published, and what holds it still. Pure. */
export function renderPlatformDocs(r: ResolvedContainer): string {
  const packages = (platform: string) => r.debianPackages.filter((p) => p.ships && p.locked[platform]?.version).length;
  // docker:lock runs something on each platform only to lock the minimal runtime's packages.
  const probed = [...(r.debianPackages.length ? [IMAGE_TASKS.lock] : []), IMAGE_TASKS.build, IMAGE_TASKS.verify].map(code);
  return [
    '## Platforms',
    '',
    '| Platform | Local tag | `node -p process.arch` | Debian packages locked (shipped) |',
    '| --- | --- | --- | --- |',
    ...r.platforms.map((p) => `| ${code(p)} | ${code(platformTag(r.imageName, r.version, p))} | ${code(PLATFORM_ARCHES[p].nodeArch)} | ${packages(p)} |`),
    '',
    `${code('npx projen docker:build')} builds one image per platform. The ${code('build')} and ${code('files')} stages run on the builder's `
      + `own platform for every target (no emulated ${code(r.packageManager.install)} or bundling); only the runtime is assembled on the target platform, from `
      + 'that platform\'s locked bases, under QEMU user emulation when the engine\'s architecture differs. The engine\'s own platform '
      + `is also tagged ${code(`${r.imageName}:${r.version}`)} and ${code(`${r.imageName}:latest`)}, so ${code(`docker run --rm ${r.imageName} whoami`)} runs natively. `
      + `Before ${probed.slice(0, -1).join(', ')} and ${probed[probed.length - 1]} run anything `
      + 'on a platform the engine does not run natively, BuildKit runs one step in the runtime base there; an engine with no emulator '
      + 'for it stops them in one line that names both fixes: register QEMU with binfmt_misc, or declare only the platforms the engine runs.',
    '',
    `${code('npx projen docker:verify')} runs the whole check plan against each platform's image, and every row of its report names `
      + 'the platform. Under emulation a correct image is slower, so the stop limit and the health check\'s timeout and start period '
      + `are ${EMULATED_TIME_FACTOR}× their declared values there, and only there; the size budget is the same for every platform. `
      + 'The emulator\'s own memory counts against a pod\'s memory limit, so there the pod check judges only that V8\'s heap limit is '
      + 'below it, not which of V8 and the kernel ends a full heap. '
      + `${code('npx projen docker:publish')} pushes each verified image under ${code('<version>-<arch>')}, then one multi-platform index `
      + 'over exactly those manifests under the version tag, and prints the index digest, which the Kubernetes release pins.',
    '',
    `What ${code(LOCK_PATH)} fixes: each base image by the digest of its multi-platform index, and, per platform, every Debian `
      + 'package the runtime is assembled from, by name, version and architecture; npm packages are fixed by the lockfile '
      + `${code(r.packageManager.install)} installs. Two builds of one commit, with the build cache pruned between them, give each platform the same files: `
      + 'paths, types, modes, owners, link targets and contents (`ci/round-trip.sh` compares them), and the created label is the '
      + 'commit\'s time. The BuildKit in Docker 20.10 cannot rewrite file timestamps, so there the layer digests differ between builds; '
      + 'the GitHub workflow builds with `rewrite-timestamp=true` and `SOURCE_DATE_EPOCH` set to the commit\'s time, which dates every '
      + 'layer file by the commit, so the digests are meant to match as well.',
  ].join('\n');
}

/** One table row per plan entry, in plan order: the docs list exactly the checks verify runs. Pure. */
export function renderCheckRows(r: ResolvedContainer): string[] {
  return planEntries(r.checks).map(({ category, check }) => `| ${CATEGORY_TITLES[category]} | ${code(check.name)} | ${cell(check.title)} |`);
}

/** Renders `docs/container.md`. Pure: the same declaration always gives the same text. */
export function renderContainerDocs(r: ResolvedContainer, model: DockerfileModel, marker?: string): string {
  const run = (task: string) => `npx projen ${task}`;
  const h = r.healthcheck;
  return [
    ...(marker ? [`<!-- ${marker} -->`] : []),
    `# Container image: ${r.imageName}`,
    '',
    `Built for ${r.platforms.map(code).join(' and ')}, tagged ${code(`${r.imageName}:${r.version}-<arch>`)}, the engine's own also `
      + `${code(`${r.imageName}:${r.version}`)} and ${code(`${r.imageName}:latest`)}. `
      + 'Everything here is generated from the project\'s `ContainerImage` declaration: edit it and run `npx projen`.',
    '',
    '## Stages',
    '',
    '| Stage | FROM | Why |',
    '| --- | --- | --- |',
    ...model.stages.map((s) => `| ${code(s.name)} | ${code(s.from)} | ${cell(s.comment ?? '')} |`),
    '',
    `The ${code('build')} stage bundles, with esbuild, each file the image runs with node: `
      + `${r.bundle.entries.map((e) => `${code(e.output)} from ${code(e.source)}`).join(', ')}. A bundle holds every module it imports, `
      + `so the image ships no ${code('node_modules')} and start-up resolves no modules; ${code(r.bundle.noticesFile)} beside `
      + `${code('package.json')} keeps the licence of each package the bundles took in.`,
    '',
    RUNTIME_DOCS[r.runtime](r),
    '',
    renderPlatformDocs(r),
    '',
    '## Runtime contract',
    '',
    '| Fact | Value |',
    '| --- | --- |',
    `| User | ${code(r.user)}, uid ${r.uid}, gid ${r.gid} (${code(`USER ${r.uid}:${r.gid}`)}); no home, shell ${code('/usr/sbin/nologin')} |`,
    `| Workdir | ${code(r.workdir)}, files owned by root, not writable by the app user |`,
    `| Command | ${code(JSON.stringify(r.cmd))} (exec form: node is PID 1 and receives SIGTERM) |`,
    `| Node | ${r.nodeMajor}, the major of the project's ${code('minNodeVersion')}; a project that declares none gets ${DEFAULT_NODE_MAJOR} `
      + `(${code('DEFAULT_NODE_MAJOR')}: a long-term-support line, the one the construct is tested on). The bundles target it |`,
    `| Port | ${r.port} (${code('EXPOSE')}, ${code('PORT')}) |`,
    `| Workers | ${r.workers} (${code('WEB_CONCURRENCY')}) |`,
    `| Environment | ${Object.entries(r.env).map(([k, v]) => code(`${k}=${v}`)).join(', ')} |`,
    `| Health check | ${code(`GET ${r.healthPath}`)} on ${code('127.0.0.1:$PORT')} every ${h.intervalS} s, `
      + `timeout ${h.timeoutS} s, start period ${h.startPeriodS} s, ${h.retries} retries; node's own fetch, no curl |`,
    ...(r.livenessPath ? [`| Liveness | ${code(`GET ${r.livenessPath}`)}: 200 while the process can serve${r.database ? '; never asks the database' : ''} |`] : []),
    ...(r.migrateCommand ? [`| Migrations | ${code(r.migrateCommand.join(' '))} with ${code(DATABASE_URL_ENV)} |`] : []),
    `| Assets | ${r.assets.map(code).join(', ') || 'none'} |`,
    `| Size budget | ${r.sizeBudgetMb} MB uncompressed (10^6 bytes) |`,
    `| Labels | ${Object.keys(r.labels).map(code).join(', ')}; \`created\` is the commit's time (or \`SOURCE_DATE_EPOCH\`), so every build of one commit carries the same label |`,
    '',
    (r.database
      ? `The HEALTHCHECK probes the readiness path ${code(r.healthPath)}, which answers 503 while the database is unreachable: `
        + `Docker's health is what Compose's ${code('depends_on: service_healthy')} waits for, and a container that cannot reach `
        + 'its database is not ready for the services that depend on it. Docker never restarts an unhealthy container, so a '
        + 'database outage cannot turn into a restart loop here.'
      : `The HEALTHCHECK probes the readiness path ${code(r.healthPath)}: Docker's health is what Compose's `
        + `${code('depends_on: service_healthy')} waits for. Docker never restarts an unhealthy container.`)
      + (r.livenessPath ? ` Orchestrators that do restart (Kubernetes) use the liveness path ${code(r.livenessPath)} for that instead.` : ''),
    '',
    `## What ${code(run(IMAGE_TASKS.verify))} checks`,
    '',
    `Each row is one entry of the check plan under ${code('checks')} in ${code('.projen/container.json')}; `
      + 'verify reports each by its name. The image must also build (or, with `--image`, exist locally).'
      + (r.checks.runtime.some((c) => c.kind === 'pod')
        ? ` The pod check's Deployment is what ${code('kubectl kustomize')} renders, so verify needs kubectl on PATH; without it, or with an `
          + 'overlay it cannot render, verify stops in one line before building.'
        : ''),
    '',
    '| Category | Check | What it proves |',
    '| --- | --- | --- |',
    ...renderCheckRows(r),
    '',
    '## Lock, build, run, verify, publish',
    '',
    `${code(run(IMAGE_TASKS.lock))} pulls each base tag and writes the digest it resolved to into ${code(LOCK_PATH)} (committed); `
      + 'for the minimal runtime it then installs the Debian packages in the locked runtime base, as the rootfs stage does, and '
      + `records each one's version and architecture per platform under ${code('packages')} (each platform installs its own builds). `
      + `Every FROM is rendered from the lock as ${code('tag@digest')}, every package as ${code('name=version')}, and the runtime base is named in the `
      + `${code('org.opencontainers.image.base.name')} and ${code('.digest')} labels. ${code(run(IMAGE_TASKS.build))} first checks `
      + 'that the lock fits the declaration (every base tag, every declared package with its version) and the Dockerfile (nothing in it changed since the last `npx projen`), and stops with one line '
      + 'when it does not. Debian keeps only the current version of a package in its archive: when a security update '
      + `replaces a locked one, the build's ${code('apt-get install')} fails on it, and ${code(run(IMAGE_TASKS.lock))} moves the lock on. `
      + `${code(run(IMAGE_TASKS.publish))} pushes only the images whose ids the last passing verify report names, one per platform, to ${code('REGISTRY')} `
      + `as one index under the version tag (${code('VERSION')}, else ${code(r.version)}, a development build), and prints ${code('digest: sha256:…')}, the index's.`,
    '',
    '```sh',
    run(IMAGE_TASKS.lock),
    run(IMAGE_TASKS.build),
    `${r.database ? `${DATABASE_URL_ENV}=postgres://... ` : ''}${run(IMAGE_TASKS.run)}`,
    run(IMAGE_TASKS.verify),
    `docker run --rm ${r.imageName} whoami   # prints ${r.user}`,
    `REGISTRY=ghcr.io/acme/${r.imageName} VERSION=1.2.3 ${run(IMAGE_TASKS.publish)}`,
    '```',
    '',
    `${code('DOCKER')} picks the docker client (default ${code('docker')}) and ${code('DOCKER_BUILD_FLAGS')} adds build flags; `
      + `${code('DOCKER_RUN_FLAGS')} replaces the default port mapping of ${code(IMAGE_TASKS.run)}. `
      + (r.checks.runtime.some((c) => c.kind === 'database') ? `${code('VERIFY_DATABASE_URL')} turns on the database check. ` : '')
      + 'Verify reaches the engine through docker-modem\'s defaults '
      + `(${code('DOCKER_HOST')}, ${code('DOCKER_TLS_VERIFY')}, ${code('DOCKER_CERT_PATH')}).`,
    '',
    'The Dockerfile needs nothing newer than the BuildKit built into Docker 20.10: '
      + 'no `# syntax` line, no `COPY --link`, no heredocs.',
    '',
  ].join('\n');
}
