import { join } from 'path';
import { VerifyError } from './errors';
import { REPORT_PATH } from './report';
import { CONTAINER_SPEC_PATH } from '../container/resolved-container';

export const USAGE = `usage: npx projen docker:verify [--image <ref>] [--report <file>]

Builds the image with \`npx projen docker:build\` (or takes an existing one from
--image / DOCKER_IMAGE) and runs the check plan of .projen/container.json.

env: DOCKER (docker CLI for the build, default "docker"), DOCKER_IMAGE,
     CONTAINER_SPEC_PATH, VERIFY_REPORT (JSON report path),
     VERIFY_DATABASE_URL (runs runtime/database; must be reachable from a
     container: loopback works where containers share the host's network),
     DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH (the engine, as for docker)`;

export interface VerifyOptions {
  /** An existing image to verify; when undefined the image is built. */
  readonly image?: string;
  readonly specPath: string;
  readonly reportPath: string;
  readonly docker: string;
  readonly databaseUrl?: string;
  /** Where `npx projen docker:build` runs. */
  readonly projectRoot: string;
  readonly help: boolean;
}

/** `--image x`, `--image=x`, and the same for `--report`. Unknown flags are errors, not ignored. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): VerifyOptions {
  const flags: Record<string, string | undefined> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    const m = /^--(image|report)(?:=(.*))?$/.exec(arg);
    if (!m) throw new VerifyError(`unknown argument "${arg}"; try --help`);
    const value = m[2] ?? argv[++i];
    if (!value) throw new VerifyError(`--${m[1]} needs a value`);
    flags[m[1]] = value;
  }
  return {
    image: flags.image || env.DOCKER_IMAGE || undefined,
    specPath: env.CONTAINER_SPEC_PATH || CONTAINER_SPEC_PATH,
    reportPath: flags.report || env.VERIFY_REPORT || join(cwd, REPORT_PATH),
    docker: env.DOCKER || 'docker',
    databaseUrl: env.VERIFY_DATABASE_URL || undefined,
    projectRoot: cwd,
    help,
  };
}
