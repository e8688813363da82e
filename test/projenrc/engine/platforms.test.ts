import type Docker from 'dockerode';
import { buildUnrunnable, UNRUNNABLE_BASE } from './unrunnable';
import { archOf, PLATFORM_ARCHES } from '../../../packages/projen-container/src/container/container-image-props';
import { connectEngine, EngineError, ensurePlatformsRun } from '../../../packages/projen-container/src/engine';
import { cannotRun, platformProblem, probePlatform } from '../../../packages/projen-container/src/engine/platforms';
import { DOCKER, describeIfEngine, removeImages } from '../verify/engine-helpers';

const AMD64 = { os: 'linux', arch: 'amd64' };
const BOTH = ['linux/amd64', 'linux/arm64'];
// BuildKit's words when the kernel has no interpreter for a binary, from Docker 20.10 (runc 1.1) and from older runc.
const BUILDKIT_EXEC_FORMAT = '#5 0.180 exec /bin/touch: exec format error\n#5 ERROR: executor failed running [touch /ran]: exit code: 1\n';
const OLD_RUNC_EXEC_FORMAT = '#5 0.2 standard_init_linux.go:228: exec user process caused: exec format error\n';

describe('platformProblem: the probe\'s outcome as one line', () => {
  test('a probe that ran is no problem', () => {
    expect(platformProblem('linux/arm64', AMD64, BOTH, { exitCode: 0, output: '' })).toBeUndefined();
  });

  test.each([['runc 1.1', BUILDKIT_EXEC_FORMAT], ['older runc', OLD_RUNC_EXEC_FORMAT]])(
    'no emulator (%s): names the platform, the engine\'s, and both fixes', (_runc, output) => {
      expect(platformProblem('linux/arm64', AMD64, BOTH, { exitCode: 1, output })).toBe(
        'linux/arm64 cannot run on this engine (linux/amd64: exec format error): register QEMU for it with binfmt_misc '
        + '(docker run --privileged --rm tonistiigi/binfmt --install arm64), or declare platforms: [\'linux/amd64\']');
    });

  test('on an arm64 engine it is amd64 that needs the emulator', () => {
    expect(cannotRun('linux/amd64', { os: 'linux', arch: 'arm64' }, BOTH)).toBe(
      'linux/amd64 cannot run on this engine (linux/arm64: exec format error): register QEMU for it with binfmt_misc '
      + '(docker run --privileged --rm tonistiigi/binfmt --install amd64), or declare platforms: [\'linux/arm64\']');
  });

  test('when no declared platform is the engine\'s, the other fix is another engine', () => {
    expect(cannotRun('linux/arm64', AMD64, ['linux/arm64'])).toMatch(/--install arm64\), or build and verify on a linux\/arm64 engine$/);
  });

  test('any other failure is one line with BuildKit\'s last one', () => {
    const output = '#3 ERROR: failed to do request\n------\nfailed to solve with frontend dockerfile.v0: failed to do request: no such host\n';
    expect(platformProblem('linux/arm64', AMD64, BOTH, { exitCode: 1, output })).toBe(
      'cannot run linux/arm64 on this engine (linux/amd64): a build of one step in its base failed: '
      + 'failed to solve with frontend dockerfile.v0: failed to do request: no such host');
  });
});

describeIfEngine('the platform probe, on this engine', () => {
  let docker: Docker;
  let engineArch: string;
  /** The declared platform this engine does not run natively. */
  let foreign: string;

  beforeAll(async () => {
    docker = (await connectEngine('')).docker;
    engineArch = (await docker.version()).Arch;
    foreign = Object.keys(PLATFORM_ARCHES).find((p) => archOf(p) !== engineArch)!;
    buildUnrunnable(foreign);
  });

  afterAll(() => {
    removeImages([UNRUNNABLE_BASE]);
  });

  test('a platform whose emulator is registered (ci/provision.sh registers QEMU) runs its base', async () => {
    expect(await probePlatform(DOCKER, 'debian:trixie-slim', foreign, process.env)).toMatchObject({ exitCode: 0 });
    await expect(ensurePlatformsRun(docker, DOCKER, 'debian:trixie-slim', Object.keys(PLATFORM_ARCHES), process.env)).resolves.toBeUndefined();
  });

  test('a binary the engine cannot run is the engine\'s exec format error, turned into the one line', async () => {
    const outcome = await probePlatform(DOCKER, UNRUNNABLE_BASE, foreign, process.env);
    expect(outcome.output).toMatch(/exec format error/);
    const declared = Object.keys(PLATFORM_ARCHES);
    await expect(ensurePlatformsRun(docker, DOCKER, UNRUNNABLE_BASE, declared, process.env))
      .rejects.toThrow(new EngineError(cannotRun(foreign, { os: 'linux', arch: engineArch }, declared)));
  });

  test('the engine\'s own platform is never probed', async () => {
    const native = Object.keys(PLATFORM_ARCHES).filter((p) => archOf(p) === engineArch);
    await expect(ensurePlatformsRun(docker, DOCKER, UNRUNNABLE_BASE, native, process.env)).resolves.toBeUndefined();
  });
});
