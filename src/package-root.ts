import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The folder holding package.json. Runtime files (config/, prompts/,
 * migrations/) are resolved from here rather than from the cwd, so the service
 * behaves the same whether started as `node .` in /app or from anywhere else.
 * This module compiles to lib/, one level below the root.
 */
export const packageRoot = path.resolve(__dirname, '..');

/**
 * The version the service reports: the image's APP_VERSION (a release tag's,
 * set at build time), else package.json's.
 */
export function serviceVersion(env: NodeJS.ProcessEnv = process.env, root: string = packageRoot): string {
  return env.APP_VERSION || readPackageVersion(root);
}

function readPackageVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
