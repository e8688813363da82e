/**
 * hadolint cannot run here, so its rules that can apply to the instructions
 * we generate are encoded from its sources (src/Hadolint/Rule/*.hs), and
 * ShellCheck runs on every RUN body as hadolint runs it. Each rule is judged
 * on every runtime variant and on the repository's Dockerfile, and each is
 * shown able to fail.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { BASE_PROPS, FACTS } from './fixture';
import type { ContainerImageProps } from '../../../packages/projen-container/src';
import type { BaseImageLock } from '../../../packages/projen-container/src/container/base-image-lock';
import { MINIMAL_PACKAGES } from '../../../packages/projen-container/src/container/container-image-props';
import { dockerfileModel } from '../../../packages/projen-container/src/container/dockerfile';
import { renderDockerfile } from '../../../packages/projen-container/src/container/dockerfile-render';
import { resolveContainer, resolveProps } from '../../../packages/projen-container/src/container/resolve';
import { parseStages, RULES, runBodies } from '../support/hadolint';
import { shellcheck, withShellcheck } from '../support/shellcheck';

const LOCKED: BaseImageLock = {
  images: {},
  packages: {
    ...Object.fromEntries(['amd64', 'arm64'].map((arch) => [`linux/${arch}`,
      Object.fromEntries([...MINIMAL_PACKAGES.ships, ...MINIMAL_PACKAGES.tools].map((n) => [n, { version: '1.0-1', architecture: arch }]))])),
  },
};
const render = (props: Partial<ContainerImageProps> = {}, lock: BaseImageLock = LOCKED, facts = FACTS) =>
  renderDockerfile(dockerfileModel(resolveContainer(
    resolveProps({ ...BASE_PROPS, ...props }), facts, { assets: BASE_PROPS.assets ?? [], env: {}, labels: {} }, lock)));
const PNPM = { name: 'pnpm', lockFile: 'pnpm-lock.yaml', install: 'pnpm i --frozen-lockfile', version: '10.33.0' } as const;
const REPO_DOCKERFILE = readFileSync(join(__dirname, '..', '..', '..', 'Dockerfile'), 'utf8');
const VARIANTS: [string, string][] = [
  ['the repository\'s Dockerfile', REPO_DOCKERFILE],
  ['minimal', render()],
  ['debian', render({ runtime: 'debian' })],
  ['node', render({ runtime: 'node' })],
  ['pnpm', render({}, LOCKED, { ...FACTS, packageManager: PNPM })],
];

describe('hadolint\'s rules, from its sources', () => {
  test.each(VARIANTS.flatMap(([name, text]) => Object.keys(RULES).map((rule): [string, string, string] => [rule, name, text])))(
    '%s: no violation in %s', (rule, _name, text) => {
      expect(RULES[rule](parseStages(text))).toEqual([]);
    });

  test('no inline ignore pragma, no hadolint config (DL1001 and friends)', () => {
    expect(REPO_DOCKERFILE).not.toMatch(/hadolint/i);
  });

  test('DL3008: the minimal runtime installs exactly the locked versions', () => {
    const install = REPO_DOCKERFILE.split('\n').find((l) => l.includes('apt-get install'))!;
    for (const name of [...MINIMAL_PACKAGES.ships, ...MINIMAL_PACKAGES.tools]) expect(install).toMatch(new RegExp(` ${name.replace(/\+/g, '\\+')}=\\S+`));
  });

  test('the rules are able to fail', () => {
    const unlocked = parseStages(render({}, { images: {} }));
    expect(RULES.DL3008(unlocked)).toEqual(expect.arrayContaining(['libc6', 'binutils']));
    const noShell = parseStages(render().replace(/^SHELL .*\n/m, ''));
    expect(RULES.DL4006(noShell)).toHaveLength(1);
    expect(RULES.DL3059(parseStages('FROM a:1 AS x\nRUN a\nRUN b\n'))).toEqual(['line 3']);
    expect(RULES.DL3029(parseStages('FROM --platform=linux/amd64 a:1 AS x\nFROM --platform=$BUILDPLATFORM a:1 AS y\n'))).toEqual(['linux/amd64']);
    expect(RULES.DL3009(parseStages('FROM a:1 AS x\nRUN apt-get update && apt-get install -y --no-install-recommends b=1\n'))).toEqual(['line 2']);
    expect(RULES.DL3015(parseStages('FROM a:1\nRUN apt-get install -y b=1\n'))).toHaveLength(1);
    expect(RULES.DL3046(parseStages('FROM a:1\nRUN useradd --uid 100001 x\n'))).toHaveLength(1);
    expect(RULES.DL3002(parseStages('FROM a:1\nUSER 0\n'))).toEqual(['0']);
    expect(RULES.DL3067(parseStages('FROM a:1 AS x\nFROM scratch\nCOPY --from=x / /\n'))).toEqual(['line 3']);
    expect(RULES.DL3064(parseStages('FROM a:1\nARG GITHUB_TOKEN\n'))).toEqual(['GITHUB_TOKEN']);
    // A quoted value may hold `=`: only the keys are judged (the property test drew a label "=").
    expect(RULES.DL3048(parseStages('FROM a:1\nLABEL ok="=" Bad="x=y" \\\n  also.ok="a b"\n'))).toEqual(['Bad']);
  });
});

describe('ShellCheck on every RUN body, at severity warning', () => {
  withShellcheck.each(VARIANTS)('%s: no finding', (_name, text) => {
    const bodies = runBodies(parseStages(text));
    expect(bodies.length).toBeGreaterThan(0);
    for (const { line, shell, body, vars } of bodies) expect({ line, findings: shellcheck(body, shell, vars) }).toEqual({ line, findings: [] });
  });

  withShellcheck('able to fail: SC2174, `mkdir -p -m`, as the Dockerfile once had it', () => {
    expect(shellcheck('mkdir -p -m 1777 /rootfs/tmp', '/bin/sh').map((f) => f.code)).toEqual([2174]);
  });
});
