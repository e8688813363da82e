import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DOCKER } from '../verify/engine-helpers';

/**
 * A base image whose `touch`, the command the platform probe runs, is bytes no
 * kernel and no emulator executes: what an engine without the platform's
 * emulator meets in a real base. One tag per test process, removed by its test.
 */
export const UNRUNNABLE_BASE = `platform-probe-unrunnable:${process.pid}`;

/** Builds {@link UNRUNNABLE_BASE} for `platform` (no step runs on it, so any engine builds it). */
export function buildUnrunnable(platform: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'unrunnable-'));
  try {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'touch'), 'no program for any architecture\n');
    chmodSync(join(dir, 'bin', 'touch'), 0o755);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY bin/touch /bin/touch\n');
    const r = spawnSync(DOCKER, ['build', '--quiet', '--platform', platform, '--tag', UNRUNNABLE_BASE, dir], {
      encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '1' }, timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`building ${UNRUNNABLE_BASE} failed: ${r.stderr || r.error}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
