#!/usr/bin/env node
/**
 * `npx projen deploy:release`: records in the releases file which release an
 * environment runs (`ENVIRONMENT`, `VERSION`, and `DIGEST` as
 * `docker:publish` printed it); the task then re-synthesizes, so the overlay
 * pins it. Argument: the declared environments, comma-separated (the task
 * passes them).
 */
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { RELEASES_FILE } from './defaults';
import { recordRelease } from './releases';

try {
  const environments = (process.argv[2] ?? '').split(',').filter(Boolean);
  const { ENVIRONMENT, VERSION, DIGEST } = process.env;
  const current = existsSync(RELEASES_FILE) ? readFileSync(RELEASES_FILE, 'utf8') : undefined;
  writeFileSync(RELEASES_FILE, recordRelease(current, environments, { ENVIRONMENT, VERSION, DIGEST }));
  process.stdout.write(`${RELEASES_FILE}: ${ENVIRONMENT} runs ${VERSION} (${DIGEST})\n`);
} catch (e) {
  process.stderr.write(`deploy:release: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
