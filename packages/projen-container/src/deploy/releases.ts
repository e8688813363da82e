import { existsSync, readFileSync } from 'fs';
import { PLACEHOLDER_DIGEST, RELEASES_FILE } from './defaults';
import { fail } from '../container/validation';

/** What one environment runs: the release version and the image digest `docker:publish` printed. */
export interface Release {
  readonly version: string;
  readonly digest: string;
}

/**
 * A version that can stand in a label value and a Job name: letters, digits,
 * dots and dashes, e.g. `1.4.0` or `1.5.0-rc.1`; no `+build` metadata.
 */
const VERSION = /^[0-9A-Za-z]([0-9A-Za-z.-]{0,38}[0-9A-Za-z])?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The releases file's entries, validated against the declared environments.
 * Throws naming the file, the environment, the field and the value. Pure.
 */
export function parseReleases(file: string, text: string, environments: readonly string[]): Record<string, Release> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail(file, '(root)', 'must be an object of environments', json);
  const releases: Record<string, Release> = {};
  for (const [env, entry] of Object.entries(json as Record<string, unknown>)) {
    if (!environments.includes(env)) fail(file, env, `must be a declared environment (${environments.join(', ')})`, env);
    const { version, digest, ...rest } = (entry ?? {}) as Record<string, unknown>;
    if (Object.keys(rest).length) fail(file, `${env}`, 'may hold only "version" and "digest"', Object.keys(rest));
    if (typeof version !== 'string' || !VERSION.test(version)) {
      fail(file, `${env}.version`, 'must be a release version of letters, digits, dots and dashes (at most 40)', version);
    }
    if (typeof digest !== 'string' || !DIGEST.test(digest)) fail(file, `${env}.digest`, 'must be sha256:<64 hex>', digest);
    releases[env] = { version, digest };
  }
  return releases;
}

/**
 * Each environment's release from the file when it names one, else the
 * package version with the placeholder digest: an overlay never deployed
 * still renders, and asks for an image that cannot be pulled.
 */
export function readReleases(path: string, file: string, environments: readonly string[], packageVersion: string): Record<string, Release> {
  const recorded = existsSync(path) ? parseReleases(file, readFileSync(path, 'utf8'), environments) : {};
  return Object.fromEntries(environments.map((env) => [env, recorded[env] ?? { version: packageVersion, digest: PLACEHOLDER_DIGEST }]));
}

/**
 * The releases file's new text with one environment's release set, the
 * others kept, in the declared order (a diff shows one entry). `given` is the
 * deploy:release task's environment. Throws naming the variable. Pure.
 */
export function recordRelease(
  current: string | undefined, environments: readonly string[], given: Readonly<Record<'ENVIRONMENT' | 'VERSION' | 'DIGEST', string | undefined>>,
): string {
  for (const [name, value] of Object.entries(given)) if (!value) throw new Error(`${name} is not set: ENVIRONMENT=<${environments.join('|')}> VERSION=<release> DIGEST=sha256:<digest>`);
  const releases = current === undefined ? {} : parseReleases(RELEASES_FILE, current, environments);
  const next: Record<string, unknown> = { ...releases, [given.ENVIRONMENT!]: { version: given.VERSION, digest: given.DIGEST } };
  // Validated whole, as synthesis will read it.
  parseReleases(RELEASES_FILE, JSON.stringify(next), environments);
  return `${JSON.stringify(Object.fromEntries(environments.filter((e) => e in next).map((e) => [e, next[e]])), null, 2)}\n`;
}
