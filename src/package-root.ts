import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The folder holding package.json. Runtime files (config/, prompts/,
 * migrations/) are resolved from here rather than from the cwd, so the service
 * behaves the same whether started as `node .` in /app or from anywhere else.
 * This module compiles to lib/, one level below the root.
 */
export const packageRoot = path.resolve(__dirname, '..');

export function readPackageVersion(root: string = packageRoot): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
