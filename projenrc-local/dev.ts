// This repository's local loop, `npx projen dev`, and what docs/deploy.md says
// of it: the app's own way to run from source, not the construct's.
import type { typescript } from 'projen';
import type { ContainerImage } from '../packages/projen-container/src';
import { DATABASE_URL_ENV } from '../packages/projen-container/src';
import type { ComposeStack } from '../packages/projen-container/src/deploy';
import { COMPOSE_SERVICES, ENV_FILE } from '../packages/projen-container/src/deploy';

const code = (s: string) => `\`${s}\``;

/**
 * Migrations, then the API from source, restarted on each change under src/, config/ or prompts/.
 * DATABASE_URL: the environment's, else .env's, else the stack's PostgreSQL on loopback.
 */
export function addDevTask(project: typescript.TypeScriptProject, stack: ComposeStack): void {
  project.addTask('dev', {
    description: 'Run the API from source with reload against a local PostgreSQL (DATABASE_URL from the environment, .env, or compose\'s), migrations first',
    env: {
      [DATABASE_URL_ENV]: `$(node --env-file-if-exists=${ENV_FILE} -p "process.env.${DATABASE_URL_ENV} || '${stack.hostDatabaseUrl}'")`,
      // One worker unless told otherwise: a reload restarts one process. swc transpiles, as for `npx projen`.
      WEB_CONCURRENCY: `$(node --env-file-if-exists=${ENV_FILE} -p "process.env.WEB_CONCURRENCY || 1")`,
      TS_NODE_SWC: 'true',
    },
    steps: [
      { exec: `node --env-file-if-exists=${ENV_FILE} scripts/migrate.js up` },
      { exec: `node --env-file-if-exists=${ENV_FILE} --watch-path=src --watch-path=config --watch-path=prompts --require ts-node/register/transpile-only src/index.ts` },
    ],
  });
}

/** docs/deploy.md's section on the task, under local development. */
export function devSection(image: ContainerImage): string[] {
  const { postgres } = COMPOSE_SERVICES;
  const r = image.resolved;
  return [
    '### The app from source, with reload',
    '',
    `${code('npx projen dev')} runs the migrations, then the API from ${code('src/')} (ts-node), restarting it on each change `
      + `under ${code('src/')}, ${code('config/')} or ${code('prompts/')}. It reads ${code(ENV_FILE)} if there is one; `
      + `${code(DATABASE_URL_ENV)} comes from the environment, else ${code(ENV_FILE)}, else the stack's ${code(postgres)} on loopback. `
      + `One worker unless ${code('WEB_CONCURRENCY')} says otherwise.`,
    '',
    '```sh',
    `docker compose up --detach ${postgres}   # or any PostgreSQL: ${DATABASE_URL_ENV}=postgres://… npx projen dev`,
    'npx projen dev                       # migrations, then the API; edit src/ and it restarts',
    `curl http://127.0.0.1:${r.port}${r.healthPath}`,
    '```',
    '',
    'Requests carry an `x-request-id`: the caller\'s own when it is short and safe, else a new one; every answer echoes it, '
      + 'every log line of the request names it (`reqId`), and a 500\'s body gives it as `requestId`. Prometheus metrics are '
      + `served by the app itself (${code('metricsPath')} in ${code(image.appConfigFile!.path)}), summed over its workers.`,
  ];
}
