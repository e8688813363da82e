import { validate } from 'dockerfile-utils';
import { RECIPE } from './fixture';
import type { DockerfileModel, ImageRecipe } from '../../../projenrc';
import { baseImagesOf, dockerfileModel, lintDockerfile, renderDockerfile, renderInstruction } from '../../../projenrc';


const render = (r: Partial<ImageRecipe> = {}) => renderDockerfile(dockerfileModel({ ...RECIPE, ...r }));

describe('renderDockerfile (pure)', () => {
  const text = render();
  const lines = text.split('\n');
  const index = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));

  test('zero diagnostics from dockerfile-utils, for every variant', () => {
    for (const variant of [{}, { keepNpm: true }, { syntax: 'docker/dockerfile:1.7', copyLink: true }, { sourceUrl: 'https://github.com/o/r' }]) {
      expect(validate(render(variant))).toEqual([]);
    }
  });

  test('compatible with Docker 20.10 BuildKit by default: no syntax line, no --link, no heredoc', () => {
    expect(text).not.toMatch(/^# syntax=/m);
    expect(text).not.toContain('--link');
    expect(text).not.toContain('<<');
  });

  test('opt-ins: the syntax directive is the first line, before the marker; COPY --link in the runtime', () => {
    const opted = renderDockerfile(dockerfileModel({ ...RECIPE, syntax: 'docker/dockerfile:1.7', copyLink: true }), 'MARKER');
    expect(opted.split('\n').slice(0, 2)).toEqual(['# syntax=docker/dockerfile:1.7', '# MARKER']);
    expect(opted).toContain('COPY --from=deps --link /app/node_modules ./node_modules');
  });

  test('build stage: manifests, npm ci with cache, then sources, then tsc; never projen', () => {
    const order = [
      'FROM node:24-trixie-slim AS build',
      'COPY package.json package-lock.json ./',
      'RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund',
      'COPY tsconfig.json ./',
      'COPY src ./src',
      'RUN node_modules/.bin/tsc --project tsconfig.json',
    ].map(index);
    expect(order.every((n, i) => n >= 0 && (i === 0 || n > order[i - 1]))).toBe(true);
    expect(lines.filter((l) => !l.startsWith('#')).join('\n')).not.toMatch(/projen/i);
    const build = text.slice(0, text.indexOf(' AS deps'));
    expect(build).not.toMatch(/^(ENV|ARG) .*NODE_ENV/m);
  });

  test('deps stage depends on the manifests only', () => {
    const deps = text.slice(text.indexOf('AS deps'), text.indexOf('AS files'));
    expect(deps).toContain('npm ci --omit=dev --omit=optional --ignore-scripts');
    expect(deps.match(/^COPY .*/gm)).toEqual(['COPY package.json package-lock.json ./']);
  });

  test('runtime: node binary on debian, app user in one RUN, root-owned files, env, labels, healthcheck, cmd', () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toContain('FROM debian:trixie-slim AS runtime'.slice(-10));
    expect(runtime.match(/^RUN .*/gm)).toEqual([
      'RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid 10001 '
      + '--home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app',
    ]);
    expect(runtime).toContain('COPY --from=build /usr/local/bin/node /usr/local/bin/node');
    expect(runtime).not.toMatch(/--chown/);
    expect(runtime).toContain('ENV NODE_ENV=production PORT=8000 WEB_CONCURRENCY=2');
    expect(runtime).toContain('USER 10001:10001');
    expect(runtime).toContain('EXPOSE 8000');
    expect(runtime).toContain('HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "-e", '
      + '"fetch(\'http://127.0.0.1:\'+(process.env.PORT||8000)+\'/health\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]');
    expect(runtime).toContain('CMD ["node", "lib/index.js"]');
    expect(runtime).toContain('org.opencontainers.image.revision="${REVISION}"');
    expect(runtime).toContain('ARG CREATED=1970-01-01T00:00:00Z');
    expect(text.indexOf('ARG REVISION')).toBeGreaterThan(text.indexOf('COPY --from=build /app/lib'));
  });

  test('context files pass through a stage that drops group/world write bits', () => {
    const files = text.slice(text.indexOf('AS files'), text.indexOf('AS runtime'));
    expect(files).toContain('COPY config ./config');
    expect(files).toContain('RUN chmod -R go-w .');
    expect(text).toContain('COPY --from=files /app/ ./');
  });

  test('the model names its base images once each, digests dropped', () => {
    const model = dockerfileModel({ ...RECIPE, nodeImage: `node:24-trixie-slim@sha256:${'b'.repeat(64)}` });
    expect(baseImagesOf(model)).toEqual(['node:24-trixie-slim', 'debian:trixie-slim']);
    expect(baseImagesOf(dockerfileModel({ ...RECIPE, keepNpm: true }))).toEqual(['node:24-trixie-slim']);
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

  test('the rendered Dockerfile passes every lint rule', () => {
    expect(lintDockerfile(text)).toEqual([]);
    expect(lintDockerfile(render({ keepNpm: true }))).toEqual([]);
  });
});
