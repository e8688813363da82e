import { validate } from 'dockerfile-utils';
import { resolved } from './fixture';
import type { ContainerImageProps } from '../../../packages/projen-container/src';
import { dockerfileModel, runtimeFrom } from '../../../packages/projen-container/src/container/dockerfile';
import type { DockerfileModel } from '../../../packages/projen-container/src/container/dockerfile-model';
import { renderDockerfile, renderInstruction } from '../../../packages/projen-container/src/container/dockerfile-render';

const render = (props: Partial<ContainerImageProps> = {}) => renderDockerfile(dockerfileModel(resolved(props)));

describe('renderDockerfile (pure)', () => {
  const text = render();
  const lines = text.split('\n');
  const index = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));

  test('zero diagnostics from dockerfile-utils, for every variant', () => {
    for (const variant of [{}, { runtime: 'node' as const }, { runtime: 'debian' as const }, { sourceUrl: 'https://github.com/o/r' }, { port: 9000, user: 'svc' }]) {
      expect(validate(render(variant))).toEqual([]);
    }
  });

  test('dockerfile-utils is able to fail', () => {
    expect(validate(`${text}\nEXPOSE nope\n`)).not.toEqual([]);
  });

  test('compatible with Docker 20.10 BuildKit: no syntax line, no --link, no heredoc', () => {
    expect(text).not.toMatch(/^# syntax=/m);
    expect(text).not.toContain('--link');
    expect(text).not.toContain('<<');
  });

  test('build stage: manifests, npm ci with cache, then sources, then the bundle and its notices; never projen', () => {
    const order = [
      'FROM --platform=$BUILDPLATFORM node:24-trixie-slim AS build',
      'COPY package.json package-lock.json ./',
      'RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund',
      'COPY tsconfig.json ./',
      'COPY src ./src',
      'COPY .projen/third-party-notices.cjs ./',
      'RUN node_modules/.bin/esbuild lib/index=src/index.ts --bundle --platform=node --target=node24 --format=cjs --log-level=warning '
        + '--metafile=bundle-meta.json --outdir=bundle && node third-party-notices.cjs bundle-meta.json bundle/THIRD-PARTY-NOTICES bundle/bundled-packages',
    ].map(index);
    expect(order.every((n, i) => n >= 0 && (i === 0 || n > order[i - 1]))).toBe(true);
    // The generated copy of the notices writer is the one file of .projen the build reads; projen itself never runs.
    expect(lines.filter((l) => !l.startsWith('#') && !l.includes('.projen/third-party-notices.cjs')).join('\n')).not.toMatch(/projen/i);
    const build = text.slice(0, text.indexOf(' AS files'));
    expect(build).not.toMatch(/^(ENV|ARG) .*NODE_ENV/m);
  });

  test('the migrate script among the assets is bundled in place, from its own source', () => {
    const withScripts = render({ assets: ['config', 'prompts', 'scripts'] });
    const build = withScripts.slice(0, withScripts.indexOf(' AS files'));
    expect(build).toContain('COPY scripts/migrate.js ./scripts/migrate.js\n');
    expect(build).toContain('esbuild lib/index=src/index.ts scripts/migrate=scripts/migrate.js --bundle');
    // Outside the assets it is not the image's to bundle.
    expect(text).not.toContain('scripts/migrate=');
  });

  test('cross-builds: what is the same on every platform runs on the builder\'s, what ships is the target\'s', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.filter((l) => l.startsWith('FROM --platform=$BUILDPLATFORM ')).map((l) => l.split(' AS ')[1])).toEqual(['build', 'files']);
    expect(froms.filter((l) => !l.includes('--platform')).map((l) => l.split(' AS ')[1])).toEqual(['rootfs', 'runtime']);
    // node and its libraries are the target's: taken from the locked bases inside the target-platform rootfs stage.
    expect(text.slice(text.indexOf('AS rootfs'))).toContain('--mount=type=bind,from=node:24-trixie-slim,source=/usr/local/bin/node');
  });

  test('no node_modules ships: the runtime takes the assets, then the bundle over them', () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime.match(/^COPY --from=(files|build) .*/gm)).toEqual(['COPY --from=files /app/ ./', 'COPY --from=build /app/bundle/ ./']);
    expect(text).not.toMatch(/node_modules \.\/node_modules|--omit=dev/);
  });

  test('minimal runtime: an empty base, the rootfs assembled from Debian packages, node stripped, no shell', () => {
    const rootfs = text.slice(text.indexOf('AS rootfs') - 90, text.indexOf('AS runtime'));
    expect(rootfs).toContain('FROM debian:trixie-slim AS rootfs');
    expect(rootfs).toContain('RUN --mount=type=bind,from=node:24-trixie-slim,source=/usr/local/bin/node,target=/usr/local/bin/node set -eux;');
    // Unlocked here (the fixture has no lock): the names alone; dockerfile-lint.test.ts checks the locked `name=version`.
    expect(rootfs).toContain('ARG TARGETARCH\n');
    for (const arch of ['amd64', 'arm64']) {
      expect(rootfs).toContain(`  ${arch}) apt-get install -y --no-install-recommends base-files binutils ca-certificates coreutils libc6 libgcc-s1 libstdc++6 ;;`);
    }
    expect(rootfs).toContain('*) echo "no Debian packages are locked for $TARGETARCH" >&2; exit 1 ;;');
    expect(rootfs).toContain('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
    expect(rootfs).toContain('for p in base-files ca-certificates coreutils libc6 libgcc-s1 libstdc++6; do dpkg-query --status "$p" >"/rootfs/var/lib/dpkg/status.d/$p"; done');
    expect(rootfs).not.toMatch(/mkdir -p -m/);
    expect(rootfs).toContain('strip --strip-all -o /rootfs/usr/local/bin/node /usr/local/bin/node');
    expect(rootfs).toContain("printf 'root:x:0:0:root:/root:/usr/sbin/nologin\\napp:x:10001:10001::/nonexistent:/usr/sbin/nologin\\n' >/rootfs/etc/passwd");
    expect(rootfs).toContain('chroot /rootfs /usr/bin/whoami');
    const runtime = text.slice(text.indexOf('FROM scratch AS runtime'));
    expect(runtime).toContain('COPY --from=rootfs /rootfs/ /');
    expect(runtime).not.toMatch(/^RUN /m);
    expect(runtime).toContain('ENV PATH=/usr/local/bin:/usr/bin NODE_ENV=production PORT=8000 WEB_CONCURRENCY=2');
    expect(render({ user: 'svc', uid: 20000 })).toContain('svc:x:20000:20000::/nonexistent');
  });

  test('debian runtime: node binary on debian, app user in one RUN, root-owned files, env, labels, healthcheck, cmd', () => {
    const debian = render({ runtime: 'debian' });
    const runtime = debian.slice(debian.indexOf('AS runtime') - 30);
    expect(runtime).toContain('FROM debian:trixie-slim AS runtime');
    expect(runtime.match(/^RUN .*/gm)).toEqual([
      'RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid 10001 '
      + '--home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app',
    ]);
    expect(runtime).toContain('COPY --from=node:24-trixie-slim /usr/local/bin/node /usr/local/bin/node');
    expect(runtime).not.toMatch(/--chown/);
    expect(runtime).toContain('ENV NODE_ENV=production PORT=8000 WEB_CONCURRENCY=2');
    expect(runtime).toContain('USER 10001:10001');
    expect(runtime).toContain('EXPOSE 8000');
    expect(runtime).toContain('HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "-e", '
      + '"fetch(\'http://127.0.0.1:\'+(process.env.PORT||8000)+\'/health\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]');
    expect(runtime).toContain('CMD ["node", "lib/index.js"]');
    expect(runtime).toContain('org.opencontainers.image.revision="${REVISION}"');
    expect(runtime).toContain('ARG CREATED=1970-01-01T00:00:00Z');
    expect(debian.indexOf('ARG REVISION')).toBeGreaterThan(debian.indexOf('COPY --from=build /app/lib'));
  });

  test('context files pass through a stage that drops group/world write bits', () => {
    const files = text.slice(text.indexOf('AS files'), text.indexOf('AS runtime'));
    expect(files).toContain('COPY config ./config');
    expect(files).toContain('RUN chmod -R go-w .');
    expect(text).toContain('COPY --from=files /app/ ./');
  });

  test('instructions: quoting of ENV/ARG values, exec-form JSON', () => {
    expect(renderInstruction({ kind: 'ENV', vars: { A: 'x y', B: 'a"b$c' } })).toBe('ENV A="x y" B="a\\"b\\$c"');
    expect(renderInstruction({ kind: 'ARG', name: 'X' })).toBe('ARG X');
    expect(renderInstruction({ kind: 'CMD', argv: ['node', 'a "b".js'] })).toBe('CMD ["node", "a \\"b\\".js"]');
    expect(renderInstruction({ kind: 'RUN', command: 'true', mounts: [{ type: 'secret', target: '/run/s' }] }))
      .toBe('RUN --mount=type=secret,target=/run/s true');
  });

  test('a hand-built model renders stages in order with comments', () => {
    const model: DockerfileModel = {
      stages: [{ name: 'only', from: 'debian:trixie-slim', comment: 'why', instructions: [{ kind: 'USER', user: '1:1', comment: 'because' }] }],
    };
    expect(renderDockerfile(model, 'M')).toBe('# M\n\n# why\nFROM debian:trixie-slim AS only\n# because\nUSER 1:1\n');
  });
});

/**
 * The hadolint rules the model does not already make impossible (it has no
 * ADD and no shell-form CMD), checked on the model of every variant. The
 * real hadolint runs in the container workflow.
 */
describe('model invariants', () => {
  const variants: Partial<ContainerImageProps>[] = [{}, { runtime: 'node' as const }, { runtime: 'debian' as const }, { user: 'svc', uid: 20000 }];
  const models = variants.map((v) => dockerfileModel(resolved(v)));

  test.each(models.map((m, i) => [i, m] as const))('variant %i', (_i, model) => {
    const names = new Set<string>();
    for (const stage of model.stages) {
      // DL3006/DL3007: every base is a tagged reference other than latest, or an earlier stage.
      if (!names.has(stage.from) && stage.from !== 'scratch') expect(stage.from).toMatch(/^[\w./-]+:(?!latest\b)[\w.-]+(@sha256:[a-f0-9]{64})?$/);
      for (const i of stage.instructions) {
        if (i.kind === 'WORKDIR') expect(i.path).toMatch(/^\//); // DL3000
        // DL3022: an earlier stage, or an image by its reference (the target platform's node binary).
        if (i.kind === 'COPY' && i.from && !i.from.includes(':')) expect(names).toContain(i.from);
        if (i.kind === 'RUN') expect(i.command).not.toMatch(/(^|&&\s*)cd\s/); // DL3003
      }
      names.add(stage.name);
    }
    const runtime = model.stages[model.stages.length - 1].instructions;
    const users = runtime.filter((i) => i.kind === 'USER');
    // DL3002 and dofigen's "UID should be used instead of username": the last USER is numeric and not root.
    expect(users.at(-1)).toMatchObject({ user: expect.stringMatching(/^[1-9]\d*:[1-9]\d*$/) });
    expect(runtime.filter((i) => i.kind === 'HEALTHCHECK')).toHaveLength(1); // dockle CIS-DI-0006
  });
});

describe('runtimeFrom', () => {
  test('the one place that says what each runtime starts FROM, and the Dockerfile uses it', () => {
    for (const runtime of ['minimal', 'debian', 'node'] as const) {
      const r = resolved({ runtime });
      expect(renderDockerfile(dockerfileModel(r))).toContain(`FROM ${runtimeFrom(r)} AS runtime`);
    }
    expect(runtimeFrom(resolved())).toBe('scratch');
    expect(runtimeFrom(resolved({ runtime: 'debian' }))).toBe('debian:trixie-slim');
    expect(runtimeFrom(resolved({ runtime: 'node' }))).toBe('node:24-trixie-slim');
  });
});
