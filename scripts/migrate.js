#!/usr/bin/env node
'use strict';
// Applies or reverts the schema in migrations/ against DATABASE_URL.
//   node scripts/migrate.js up     apply every pending migration
//   node scripts/migrate.js down   revert the most recent migration
// Plain CommonJS so it runs without a TypeScript loader, in the image and from the tests;
// node-pg-migrate is ESM-only, hence the dynamic import().

const path = require('node:path');

const USAGE = 'usage: node scripts/migrate.js up|down  (DATABASE_URL must be set)';
const EXIT_USAGE = 2;

async function main(argv, env) {
  const args = argv.slice(2);
  if (args.length !== 1 || (args[0] !== 'up' && args[0] !== 'down')) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (!env.DATABASE_URL) {
    process.stderr.write(`migrate error: DATABASE_URL is not set; ${USAGE}\n`);
    return EXIT_USAGE;
  }
  const direction = args[0];
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: env.DATABASE_URL,
    // Resolved from this file, not the cwd, and only read: the image is read-only.
    dir: path.resolve(__dirname, '..', 'migrations'),
    migrationsTable: 'pgmigrations',
    direction,
    count: direction === 'up' ? Infinity : 1,
    checkOrder: true,
    singleTransaction: true,
    log: (msg) => process.stdout.write(`${msg}\n`),
  });
  process.stdout.write(`migrate ${direction}: ${applied.length === 0 ? 'nothing to do' : applied.map((m) => m.name).join(', ')}\n`);
  return 0;
}

main(process.argv, process.env).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`migrate error: ${String(err && err.message ? err.message : err).split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
