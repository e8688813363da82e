import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const dev = JSON.parse(readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks.dev;
const envExample = readFileSync(path.join(root, '.env.example'), 'utf8');

/** What projen evaluates a `$(…)` env value to, in `env` and in a folder without a .env. */
const evaluate = (value: string, env: NodeJS.ProcessEnv): string =>
  execSync(value.slice(2, -1), { cwd: path.join(root, 'test'), env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' }).trim();

describe('npx projen dev', () => {
  test('applies the migrations, then runs the API from source with reload on src/, config/ and prompts/', () => {
    expect(dev.steps.map((s: { exec: string }) => s.exec)).toEqual([
      expect.stringMatching(/scripts\/migrate\.js up$/),
      expect.stringMatching(/--watch-path=src --watch-path=config --watch-path=prompts .*src\/index\.ts$/),
    ]);
  });

  test('takes DATABASE_URL from the environment, else the default .env.example documents for it', () => {
    const documented = /^DATABASE_URL=(.*)$/m.exec(envExample)![1];
    expect(evaluate(dev.env.DATABASE_URL, {})).toBe(documented);
    expect(evaluate(dev.env.DATABASE_URL, { DATABASE_URL: 'postgres://elsewhere/x' })).toBe('postgres://elsewhere/x');
    expect(evaluate(dev.env.WEB_CONCURRENCY, {})).toBe('1');
  });
});
