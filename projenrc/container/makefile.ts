/** A Makefile target that delegates to a projen task. */
export interface MakeTarget {
  readonly target: string;
  /** The projen task it runs. */
  readonly task: string;
  /** Shown by `make help`; taken from the task. */
  readonly description: string;
}

/**
 * Renders a Makefile of thin entry points: every recipe is `npx projen <task>`,
 * so the task definitions stay the only place a command is written. `help`
 * comes first and is the default goal. Pure.
 */
export function renderMakefile(targets: readonly MakeTarget[], marker?: string): string {
  const width = Math.max('help'.length, ...targets.map((t) => t.target.length)) + 2;
  const line = (name: string, text: string) => `\t@printf '  %s\\n' ${shellQuote(name.padEnd(width) + text)}`;
  const help = [
    '.PHONY: help',
    'help:',
    '\t@printf \'Targets:\\n\'',
    line('help', 'List the targets (default)'),
    ...targets.map((t) => line(t.target, t.description)),
  ];
  const rules = targets.map((t) => [`.PHONY: ${t.target}`, `${t.target}:`, `\tnpx projen ${t.task}`].join('\n'));
  return [
    ...(marker ? [`# ${marker}`] : []),
    '.DEFAULT_GOAL := help',
    '',
    help.join('\n'),
    '',
    rules.join('\n\n'),
  ].join('\n') + '\n';
}

function shellQuote(text: string): string {
  // make expands `$`, the shell expands everything but `'` inside single quotes.
  return `'${text.replace(/\$/g, '$$$$').replace(/'/g, '\'\\\'\'')}'`;
}
