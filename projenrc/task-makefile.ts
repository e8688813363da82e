import { Component } from 'projen';
import type { Project } from 'projen';
import { GeneratedFile } from './generated-file';

/** A Makefile target that delegates to a projen task. */
export interface MakeTarget {
  readonly target: string;
  /** The projen task it runs. */
  readonly task: string;
  /** Shown by `make help`; taken from the task. */
  readonly description: string;
}

/** How a fresh clone gets its node_modules before the first `npx projen`. */
export interface MakeInstall {
  /** The lockfile; a newer one reinstalls. */
  readonly lockFile: string;
  /** A file the install writes, standing for node_modules as a make target. */
  readonly stamp: string;
  readonly command: string;
}

/** npm's install: `npm ci` writes the hidden lockfile node_modules/.package-lock.json. */
export const NPM_INSTALL: MakeInstall = { lockFile: 'package-lock.json', stamp: 'node_modules/.package-lock.json', command: 'npm ci' };

/**
 * A Makefile of thin entry points for people who type `make`: each target
 * runs one projen task, so the task stays the only place a command is
 * written, and the help text is the task's description.
 */
export class TaskMakefile extends Component {
  public readonly file: GeneratedFile;

  /** @param targets make target name → projen task name, resolved at synthesis */
  constructor(project: Project, targets: Readonly<Record<string, string>>) {
    super(project);
    this.file = new GeneratedFile(project, 'Makefile', {
      render: (marker) => renderMakefile(Object.entries(targets).map(([target, task]) => ({
        target,
        task,
        description: project.tasks.tryFind(task)?.description
          ?? (() => { throw new Error(`TaskMakefile: target "${target}" names no task, got ${JSON.stringify(task)}`); })(),
      })), marker),
    });
  }
}

/**
 * Renders the Makefile. Every target depends on the installed node_modules,
 * so `make check` works on a fresh clone; `help` is the default goal. Pure.
 */
export function renderMakefile(targets: readonly MakeTarget[], marker?: string, install: MakeInstall = NPM_INSTALL): string {
  const width = Math.max('help'.length, ...targets.map((t) => t.target.length)) + 2;
  const line = (name: string, text: string) => `\t@printf '  %s\\n' ${shellQuote(name.padEnd(width) + text)}`;
  const help = [
    '.PHONY: help',
    'help:',
    '\t@printf \'Targets:\\n\'',
    line('help', 'List the targets (default)'),
    ...targets.map((t) => line(t.target, t.description)),
  ];
  const rules = targets.map((t) => [`.PHONY: ${t.target}`, `${t.target}: ${install.stamp}`, `\tnpx projen ${t.task}`].join('\n'));
  const installRule = [`${install.stamp}: ${install.lockFile}`, `\t${install.command}`].join('\n');
  return [
    ...(marker ? [`# ${marker}`] : []),
    '.DEFAULT_GOAL := help',
    '',
    help.join('\n'),
    '',
    rules.join('\n\n'),
    '',
    installRule,
  ].join('\n') + '\n';
}

function shellQuote(text: string): string {
  // make expands `$`, the shell expands everything but `'` inside single quotes.
  return `'${text.replace(/\$/g, '$$$$').replace(/'/g, '\'\\\'\'')}'`;
}
