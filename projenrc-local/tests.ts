// What this repository's own tests need in CI: not the construct's, which any
// project uses, so it lives here, beside .projenrc.ts.
import type { Step } from '../packages/projen-container/src';
import { postgresService, postgresServiceUrl, pullBaseImages } from '../packages/projen-container/src';

/** Where the tests find PostgreSQL: the service's port, mapped to the runner's loopback (test/src/support/throwaway-database.ts). */
export const TEST_ADMIN_DATABASE_URL = postgresServiceUrl('127.0.0.1');

/**
 * ShellCheck for the tests that lint every RUN body and workflow script
 * (hadolint and actionlint cannot run them offline). ubuntu runners usually
 * have it; the tests fail in CI when it is missing, so make sure.
 */
export const INSTALL_SHELLCHECK: Step = {
  name: 'ShellCheck (the tests lint every RUN body and workflow script with it)',
  run: 'if ! command -v shellcheck >/dev/null; then\n  sudo apt-get update -qq\n  sudo apt-get install -y -qq shellcheck\nfi\nshellcheck --version',
};

/**
 * What the tests need wherever the whole build runs (build.yml, the release
 * job, container.yml's tests job): PostgreSQL where they look, ShellCheck, and the base images the engine
 * tests build FROM, pulled after the install (the spec's tool needs it).
 */
export function testJob(projectDir: string): { services: Record<string, unknown>; env: Record<string, string>; steps: Step[] } {
  return {
    // The same service container verify's database check runs against: the construct's, one image pin.
    services: { postgres: postgresService() },
    env: { TEST_ADMIN_DATABASE_URL },
    steps: [INSTALL_SHELLCHECK, pullBaseImages(projectDir)],
  };
}
