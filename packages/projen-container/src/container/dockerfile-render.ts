import type { DockerInstruction, DockerfileModel, DockerStage } from './dockerfile-model';

/**
 * Renders a Dockerfile. Pure: the same model always gives the same text.
 *
 * @param marker the projen marker, printed as a comment. No `# syntax=` line
 *   comes before it: resolving one needs a registry, and the engine's
 *   built-in frontend has every feature the model uses.
 */
export function renderDockerfile(model: DockerfileModel, marker?: string): string {
  const stages = model.stages.map(renderStage);
  return [...(marker ? [`# ${marker}`] : []), ...stages].join('\n\n') + '\n';
}

function renderStage(stage: DockerStage): string {
  return [
    ...commentLines(stage.comment),
    `FROM ${stage.platform ? `--platform=${stage.platform} ` : ''}${stage.from} AS ${stage.name}`,
    ...stage.instructions.flatMap((i) => [...commentLines(i.comment), renderInstruction(i)]),
  ].join('\n');
}

function commentLines(comment: string | undefined): string[] {
  return comment ? comment.split('\n').map((line) => `# ${line}`) : [];
}

export function renderInstruction(i: DockerInstruction): string {
  switch (i.kind) {
    case 'ARG':
      return i.default === undefined ? `ARG ${i.name}` : `ARG ${i.name}=${quote(i.default)}`;
    case 'CMD':
      return `CMD ${execForm(i.argv)}`;
    case 'COPY':
      return [
        'COPY',
        ...(i.from ? [`--from=${i.from}`] : []),
        ...i.sources,
        i.dest,
      ].join(' ');
    case 'ENV':
      return `ENV ${i.expand ? Object.entries(i.vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : pairs(i.vars)}`;
    case 'EXPOSE':
      return `EXPOSE ${i.port}`;
    case 'HEALTHCHECK':
      return [
        'HEALTHCHECK',
        `--interval=${i.intervalS}s`,
        `--timeout=${i.timeoutS}s`,
        `--start-period=${i.startPeriodS}s`,
        `--retries=${i.retries}`,
        'CMD',
        execForm(i.argv),
      ].join(' ');
    case 'LABEL':
      // One key per line keeps diffs of label changes to one line.
      return `LABEL ${Object.entries(i.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' \\\n      ')}`;
    case 'RUN':
      return [
        'RUN',
        ...(i.mounts ?? []).map((m) => `--mount=${[
          `type=${m.type}`, ...(m.from ? [`from=${m.from}`] : []), ...(m.source ? [`source=${m.source}`] : []), `target=${m.target}`,
        ].join(',')}`),
        i.command,
      ].join(' ');
    case 'SHELL':
      return `SHELL ${execForm(i.argv)}`;
    case 'USER':
      return `USER ${i.user}`;
    case 'WORKDIR':
      return `WORKDIR ${i.path}`;
  }
}

/** JSON array: Dockerfile exec form is exactly a JSON string array. */
function execForm(argv: readonly string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;
}

function pairs(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
}

/** Values that the Dockerfile parser would split or expand get double quotes. */
function quote(value: string): string {
  return /^[\w.:/@+,=-]+$/.test(value) ? value : `"${value.replace(/(["\\$])/g, '\\$1')}"`;
}
