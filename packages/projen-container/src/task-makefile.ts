import { Component } from 'projen';
import type { javascript } from 'projen';
import type { PackageManager } from './container/package-manager';
import { installStamp, resolvePackageManager } from './container/package-manager';
import { GeneratedFile } from './generated-file';

/** A Makefile target that delegates to a projen task. */
export interface MakeTarget {
  readonly target: string;
  /** The projen task it runs. */
  readonly task: string;
  /** Shown by `make help`; taken from the task. */
  readonly description: string;
}

/**
 * A Makefile of thin entry points for people who type `make`: each target
 * runs one projen task, so the task stays the only place a command is
 * written, and the help text is the task's description.
 */
export class TaskMakefile extends Component {
  public readonly file: GeneratedFile;

  /** @param targets make target name → projen task name, resolved at synthesis */
  constructor(project: javascript.NodeProject, targets: Readonly<Record<string, string>>) {
    super(project);
    const install = resolvePackageManager(project.package, 'TaskMakefile');
    this.file = new GeneratedFile(project, 'Makefile', {
      render: (marker) => renderMakefile(Object.entries(targets).map(([target, task]) => ({
        target,
        task,
        description: project.tasks.tryFind(task)?.description
          ?? (() => { throw new Error(`TaskMakefile: target "${target}" names no task, got ${JSON.stringify(task)}`); })(),
      })), install, marker),
    });
  }
}

/**
 * Renders the Makefile. Every target depends on the installed node_modules,
 * so `make check` works on a fresh clone: the project's frozen install, run
 * again when the lockfile is newer. `help` is the default goal. Pure.
 */
export function renderMakefile(targets: readonly MakeTarget[], install: PackageManager, marker?: string): string {
  const stamp = installStamp(install);
  const width = Math.max('help'.length, ...targets.map((t) => t.target.length)) + 2;
  const line = (name: string, text: string) => `\t@printf '  %s\\n' ${shellQuote(name.padEnd(width) + text)}`;
  const help = [
    '.PHONY: help',
    'help:',
    '\t@printf \'Targets:\\n\'',
    line('help', 'List the targets (default)'),
    ...targets.map((t) => line(t.target, t.description)),
  ];
  const rules = targets.map((t) => [`.PHONY: ${t.target}`, `${t.target}: ${stamp}`, `\tnpx projen ${t.task}`].join('\n'));
  const installRule = [`${stamp}: ${install.lockFile}`, `\t${install.install}`].join('\n');
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
