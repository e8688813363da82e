import { archOf } from '../container/container-image-props';

/**
 * The GitHub-hosted runner that builds and verifies each platform natively
 * (docs/decisions/0007-native-runner-per-platform.md): no emulated `npm ci`,
 * and verify's timings are the platform's own, not QEMU's.
 */
const RUNNERS: Readonly<Record<string, string>> = {
  amd64: 'ubuntu-24.04',
  arm64: 'ubuntu-24.04-arm',
};

/** The runner for a declared platform; a platform without one fails the synthesis, naming it. */
export function runnerFor(platform: string): string {
  const runner = RUNNERS[archOf(platform)];
  if (!runner) throw new Error(`ContainerWorkflow: no GitHub-hosted runner for platform "${platform}"; known: ${Object.keys(RUNNERS).join(', ')}`);
  return runner;
}
