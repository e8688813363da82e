import type { Instruction } from 'dockerfile-ast';
import { DockerfileParser, ModifiableInstruction } from 'dockerfile-ast';
import { SECRET_KEY } from './container-image-props';

/** One broken rule, with the 1-based line it is on. */
export interface LintFinding {
  /** hadolint (`DLxxxx`) or dockle (`CIS-DI-xxxx`) rule id. */
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

interface Stage {
  readonly name?: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

/**
 * The hadolint and dockle rules that can be judged from a Dockerfile alone,
 * re-implemented on `dockerfile-ast` so tests run without either binary.
 */
export function lintDockerfile(text: string): LintFinding[] {
  const stages = splitStages(DockerfileParser.parse(text).getInstructions());
  const findings: LintFinding[] = [];
  const report = (rule: string, i: Instruction, message: string) =>
    findings.push({ rule, line: i.getRange().start.line + 1, message });

  // Stage name -> whether it set a WORKDIR, which stages built FROM it inherit.
  const known = new Map<string, boolean>();
  for (const stage of stages) {
    let workdir = known.get(stage.from) ?? false;
    let pipefail = false;
    let previousRun: Instruction | undefined;
    for (const i of stage.instructions) {
      const keyword = i.getKeyword();
      const args = i.getArgumentsContent() ?? '';
      switch (keyword) {
        case 'FROM': {
          const image = i.getArguments()[0]?.getValue() ?? '';
          if (!known.has(image) && image !== 'scratch') {
            const [ref, digest] = image.split('@');
            const tag = /:([^:/]+)$/.exec(ref)?.[1];
            if (!tag && !digest) report('DL3006', i, `Always tag the image explicitly: ${image}`);
            if (tag === 'latest') report('DL3007', i, `Using latest is prone to errors: ${image}`);
          }
          break;
        }
        case 'WORKDIR':
          workdir = true;
          if (!/^(\/|\$)/.test(args.replace(/^["']/, ''))) report('DL3000', i, `Use absolute WORKDIR: ${args}`);
          break;
        case 'ADD':
          report('DL3020', i, 'Use COPY instead of ADD for files and folders');
          break;
        case 'COPY': {
          const from = flagValue(i, 'from');
          if (from !== undefined && !known.has(from) && !from.includes(':')) {
            report('DL3022', i, `COPY --from should reference a previously defined FROM alias: ${from}`);
          }
          const argv = i.getArguments().map((a) => a.getValue());
          const dest = argv[argv.length - 1] ?? '';
          if (!workdir && !dest.startsWith('/')) report('DL3045', i, `COPY to a relative destination without WORKDIR set: ${dest}`);
          break;
        }
        case 'SHELL':
          pipefail = /-o["',\s]+pipefail/.test(args);
          break;
        case 'RUN': {
          if (previousRun && sameFlags(previousRun, i)) report('DL3059', i, 'Multiple consecutive RUN instructions; consider consolidation');
          const command = commandOf(i);
          if (/(^|[\s;&|(])cd\s/.test(command)) report('DL3003', i, 'Use WORKDIR to switch to a directory');
          if (/[^|]\|[^|]/.test(command) && !pipefail && !/set -[a-z]*o pipefail/.test(command)) {
            report('DL4006', i, 'Set the SHELL option -o pipefail before RUN with a pipe in it');
          }
          for (const pkg of npmInstalled(command)) {
            report('DL3016', i, `Pin versions in npm: ${pkg}`);
          }
          break;
        }
        case 'CMD':
        case 'ENTRYPOINT':
          if (!args.trim().startsWith('[')) report('DL3025', i, `Use arguments JSON notation for ${keyword}`);
          break;
        case 'ENV':
          for (const key of envKeys(i)) {
            if (SECRET_KEY.test(key)) report('CIS-DI-0010', i, `Suspicious ENV key found: ${key}`);
          }
          break;
      }
      previousRun = keyword === 'RUN' ? i : undefined;
    }
    if (stage.name) known.set(stage.name, workdir);
  }

  const last = stages[stages.length - 1];
  if (last) {
    const fromLine = last.instructions[0];
    const users = last.instructions.filter((i) => i.getKeyword() === 'USER');
    const user = users[users.length - 1];
    if (!user) {
      report('CIS-DI-0001', fromLine, 'Create a user for the container: the final stage has no USER');
    } else if (/^(root|0)(:|$)/.test(user.getArgumentsContent() ?? '')) {
      report('DL3002', user, 'Last USER should not be root');
    }
    if (!last.instructions.some((i) => i.getKeyword() === 'HEALTHCHECK')) {
      report('CIS-DI-0006', fromLine, 'Add HEALTHCHECK instruction to the container image');
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

function splitStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const i of instructions) {
    if (i.getKeyword() === 'FROM') {
      const argv = i.getArguments().map((a) => a.getValue());
      const as = argv.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? argv[as + 1] : undefined, from: argv[0] ?? '', instructions: [] });
    }
    stages[stages.length - 1]?.instructions.push(i);
  }
  return stages;
}

/** `--name=value` flags; `getArguments()` leaves them out. */
function flags(i: Instruction): string[] {
  return i instanceof ModifiableInstruction ? i.getFlags().map((f) => `--${f.getName()}=${f.getValue() ?? ''}`) : [];
}

function flagValue(i: Instruction, name: string): string | undefined {
  return flags(i).find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function sameFlags(a: Instruction, b: Instruction): boolean {
  return flags(a).join(' ') === flags(b).join(' ');
}

function commandOf(i: Instruction): string {
  return i.getArguments().map((a) => a.getValue()).join(' ');
}

/** Packages named after `npm install|i|add` without a version or path. */
function npmInstalled(command: string): string[] {
  const unpinned: string[] = [];
  for (const segment of command.split(/&&|\|\||;/)) {
    const words = segment.trim().split(/\s+/);
    const at = words.findIndex((w, n) => w === 'npm' && ['install', 'i', 'add'].includes(words[n + 1]));
    if (at < 0) continue;
    for (const word of words.slice(at + 2)) {
      if (word.startsWith('-') || /^[./~]/.test(word)) continue;
      if (word.lastIndexOf('@') <= 0) unpinned.push(word);
    }
  }
  return unpinned;
}

function envKeys(i: Instruction): string[] {
  const text = i.getArgumentsContent() ?? '';
  // `ENV k=v k2=v2` or the legacy `ENV k v`.
  return text.includes('=')
    ? [...text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1])
    : [text.split(/\s+/)[0]];
}
