#!/usr/bin/env node
/**
 * Entry point of `npx projen docker:verify` (ts-node). Kept to the process
 * plumbing; the work is in run.ts so tests can call it in-process.
 */
import { main, reportError } from './run';

main(process.argv.slice(2), process.env).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.exitCode = reportError(e); },
);
