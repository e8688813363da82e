/**
 * hadolint cannot run here, so its rules that can apply to the instructions
 * we generate are encoded from its sources (src/Hadolint/Rule/*.hs), with the
 * RUN bodies ShellCheck judges as hadolint runs it. Shared by the Dockerfile
 * lint tests and the property test of drawn declarations.
 */
interface Instruction { readonly keyword: string; readonly flags: readonly string[]; readonly args: string; readonly line: number }
interface Stage { readonly from: string; readonly platform?: string; readonly alias?: string; readonly instructions: readonly Instruction[] }

/** The Dockerfile as hadolint's parser sees it: continuations joined, comments dropped, stages split. */
export function parseStages(text: string): Stage[] {
  const stages: { from: string; platform?: string; alias?: string; instructions: Instruction[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(#|$)/.test(lines[i])) continue;
    const start = i;
    let joined = lines[i];
    while (joined.endsWith('\\')) joined = joined.slice(0, -1) + lines[++i];
    const [, keyword, rest] = /^(\w+)\s+([\s\S]*)$/.exec(joined.trim())!;
    const flags: string[] = [];
    let args = rest;
    for (let m; (m = /^(--\S+)\s+/.exec(args));) { flags.push(m[1]); args = args.slice(m[0].length); }
    const ins = { keyword: keyword.toUpperCase(), flags, args, line: start + 1 };
    if (ins.keyword === 'FROM') {
      const [from, as, alias] = args.split(/\s+/);
      const platform = flags.find((f) => f.startsWith('--platform='))?.slice('--platform='.length);
      stages.push({ from, ...(platform ? { platform } : {}), ...(as?.toUpperCase() === 'AS' ? { alias } : {}), instructions: [] });
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN');
/** The simple commands of a shell body, split on the operators hadolint's parser splits on. */
const commands = (body: string) => body.split(/;|&&|\|\||\||\$\(|<\(|\bthen\b|\bdo\b|\belse\b/)
  // A case branch's command follows its pattern: `case "$x" in a) cmd ;;` holds the command `cmd`.
  .map((c) => c.trim().replace(/^case\s+\S+\s+in\s+/, '').replace(/^[\w*|-]+\)\s*/, '')).filter(Boolean);
const words = (cmd: string) => cmd.split(/\s+/);
const aptInstalls = (body: string) => commands(body).map(words).filter((w) => w[0] === 'apt-get' && w.includes('install'));
const hasPipe = (body: string) => /(^|[^|])\|([^|]|$)/.test(body.replace(/'[^']*'/g, "''"));

/** The keys of a LABEL's pairs: a quoted value may hold `=` and spaces, as hadolint's parser reads it. */
const labelKeys = (args: string) => [...args.matchAll(/(?:^|\s)([^\s=]+)=(?:"(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => m[1]);

type Rule = (stages: Stage[]) => string[];

/** hadolint's rules for instructions we generate; each returns its violations. */
export const RULES: Record<string, Rule> = {
  DL3000: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'WORKDIR' && !i.args.startsWith('/')).map((i) => `line ${i.line}`)),
  DL3001: (st) => st.flatMap(runs).filter((i) => commands(i.args).some((c) => ['ssh', 'vim', 'shutdown', 'service', 'ps', 'free', 'top', 'kill', 'mount', 'ifconfig'].includes(words(c)[0]))).map((i) => `line ${i.line}`),
  DL3002: (st) => { const users = st[st.length - 1].instructions.filter((i) => i.keyword === 'USER'); const last = users[users.length - 1]?.args; return last && /^(root|0)(:|$)/.test(last) ? [last] : []; },
  DL3003: (st) => st.flatMap(runs).filter((i) => commands(i.args).some((c) => words(c)[0] === 'cd')).map((i) => `line ${i.line}`),
  DL3004: (st) => st.flatMap(runs).filter((i) => commands(i.args).some((c) => words(c)[0] === 'sudo')).map((i) => `line ${i.line}`),
  DL3006: (st) => st.filter((s, n) => s.from !== 'scratch' && !st.slice(0, n).some((p) => p.alias === s.from) && !/:[^/]+$|@sha256:/.test(s.from)).map((s) => s.from),
  DL3007: (st) => st.filter((s) => /:latest(@|$)/.test(s.from)).map((s) => s.from),
  DL3008: (st) => st.flatMap(runs).flatMap((i) => aptInstalls(i.args).flatMap((w) => w.slice(1).filter((a) => a !== 'install' && !a.startsWith('-') && !/[=/]|\.deb$/.test(a)))),
  DL3009: (st) => st.filter((s, n) => n === st.length - 1 || st.slice(n + 1).some((l) => l.from === s.alias))
    .flatMap(runs).filter((i) => /apt-get update/.test(i.args) && !i.args.includes('rm -rf /var/lib/apt/lists/*') && !i.flags.some((f) => f.includes('target=/var/lib/apt'))).map((i) => `line ${i.line}`),
  DL3011: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'EXPOSE' && !(Number(i.args) >= 0 && Number(i.args) <= 65535)).map((i) => i.args)),
  DL3012: (st) => st.filter((s) => s.instructions.filter((i) => i.keyword === 'HEALTHCHECK').length > 1).map((s) => s.alias ?? s.from),
  DL3014: (st) => st.flatMap(runs).flatMap((i) => aptInstalls(i.args)).filter((w) => !w.some((a) => ['-y', '--yes', '-qq', '--assume-yes'].includes(a))).map((w) => w.join(' ')),
  DL3015: (st) => st.flatMap(runs).flatMap((i) => aptInstalls(i.args)).filter((w) => !w.includes('--no-install-recommends')).map((w) => w.join(' ')),
  DL3016: (st) => st.flatMap(runs).flatMap((i) => commands(i.args).map(words)).filter((w) => w[0] === 'npm' && ['install', 'i', 'add'].includes(w[1]) && w.slice(2).some((a) => !a.startsWith('-') && !/@/.test(a))).map((w) => w.join(' ')),
  DL3020: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ADD').map((i) => `line ${i.line}`)),
  DL3021: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY' && words(i.args).length > 2 && !i.args.endsWith('/')).map((i) => i.args)),
  DL3022: (st) => st.flatMap((s, n) => s.instructions.flatMap((i) => i.flags.filter((f) => f.startsWith('--from=')).map((f) => f.slice(7)))
    .filter((from) => !st.slice(0, n).some((p) => p.alias === from) && !from.includes(':'))),
  DL3023: (st) => st.flatMap((s) => s.instructions.filter((i) => i.flags.includes(`--from=${s.alias}`)).map((i) => `line ${i.line}`)),
  DL3024: (st) => st.map((s) => s.alias).filter((a, n, all) => a && all.indexOf(a) !== n) as string[],
  DL3025: (st) => st.flatMap((s) => s.instructions.filter((i) => ['CMD', 'ENTRYPOINT'].includes(i.keyword) && !i.args.startsWith('[')).map((i) => i.args)),
  DL3027: (st) => st.flatMap(runs).filter((i) => commands(i.args).some((c) => words(c)[0] === 'apt')).map((i) => `line ${i.line}`),
  DL3029: (st) => st.filter((s) => s.platform && !/BUILDPLATFORM|TARGETPLATFORM/.test(s.platform)).map((s) => s.platform!),
  DL3044: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]).filter((k) => new RegExp(`\\$\\{?${k}\\b`).test(i.args)))),
  DL3045: (st) => st.flatMap((s) => { let workdir = false; return s.instructions.filter((i) => { if (i.keyword === 'WORKDIR') workdir = true; return i.keyword === 'COPY' && !workdir && !words(i.args).pop()!.startsWith('/'); }).map((i) => `line ${i.line}`); }),
  DL3046: (st) => st.flatMap(runs).flatMap((i) => commands(i.args).map(words)).filter((w) => w[0] === 'useradd' && !w.some((a) => a === '-l' || a === '--no-log-init') && w.some((a, n) => ['-u', '--uid'].includes(a) && w[n + 1].length > 5)).map((w) => w.join(' ')),
  DL3047: (st) => st.flatMap(runs).filter((i) => commands(i.args).some((c) => words(c)[0] === 'wget')).map((i) => `line ${i.line}`),
  DL3048: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'LABEL').flatMap((i) => labelKeys(i.args).filter((k) => !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(k)))),
  DL3057: (st) => (st[st.length - 1].instructions.some((i) => i.keyword === 'HEALTHCHECK') ? [] : ['no HEALTHCHECK']),
  DL3061: (st) => (st.length ? [] : ['no FROM']),
  DL3062: (st) => st.flatMap(runs).flatMap((i) => commands(i.args).map(words)).filter((w) => w[0] === 'go' && w[1] === 'install' && w.slice(2).some((a) => !a.startsWith('-') && !a.includes('@'))).map((w) => w.join(' ')),
  DL3063: (st) => st.map((s) => s.alias).filter((a) => a === 'scratch' || a === 'context') as string[],
  // Its suspicious substrings; its list of known names (AWS_SECRET_ACCESS_KEY, DOCKER_PASSWORD, …) all contain one or are far from ours.
  DL3064: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ARG' || i.keyword === 'ENV')
    .flatMap((i) => (i.keyword === 'ARG' ? [i.args.split('=')[0]] : [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1])))
    .filter((n) => ['api_key', 'client_key', 'password', 'private', 'secret', 'token', 'username'].some((x) => n.toLowerCase().includes(x)))),
  DL3065: (st) => st.filter((s) => s.from.includes('$TARGETPLATFORM')).map((s) => s.from),
  DL3066: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'USER' && !/^\d+(:\d+)?$/.test(i.args)).map((i) => i.args)),
  DL3067: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY' && i.flags.some((f) => f.startsWith('--from='))
    && words(i.args).slice(0, -1).includes('/') && words(i.args).pop() === '/').map((i) => `line ${i.line}`)),
  DL3059: (st) => st.flatMap((s) => s.instructions.filter((i, n) => n > 0 && i.keyword === 'RUN' && s.instructions[n - 1].keyword === 'RUN'
    && i.flags.join() === s.instructions[n - 1].flags.join()).map((i) => `line ${i.line}`)),
  DL4000: (st) => st.flatMap((s) => s.instructions.filter((i) => i.keyword === 'MAINTAINER').map((i) => `line ${i.line}`)),
  DL4003: (st) => st.filter((s) => s.instructions.filter((i) => i.keyword === 'CMD').length > 1).map((s) => s.alias ?? s.from),
  DL4004: (st) => st.filter((s) => s.instructions.filter((i) => i.keyword === 'ENTRYPOINT').length > 1).map((s) => s.alias ?? s.from),
  DL4006: (st) => st.flatMap((s) => {
    let pipefail = false;
    return s.instructions.filter((i) => {
      if (i.keyword === 'SHELL') { const argv: string[] = JSON.parse(i.args); pipefail = /(^|\/)(bash|zsh|ash)$/.test(argv[0]) && argv.some((a, n) => a === '-o' && argv[n + 1] === 'pipefail'); }
      return i.keyword === 'RUN' && hasPipe(i.args) && !pipefail;
    }).map((i) => `line ${i.line}`);
  }),
};

/** Every RUN body with the shell hadolint would run ShellCheck as, and the names ARG/ENV declared before it. */
export function runBodies(stages: Stage[]): { line: number; shell: string; body: string; vars: string[] }[] {
  return stages.flatMap((s) => {
    let shell = '/bin/sh';
    const vars: string[] = [];
    return s.instructions.flatMap((i) => {
      if (i.keyword === 'SHELL') shell = JSON.parse(i.args)[0];
      if (i.keyword === 'ARG') vars.push(i.args.split('=')[0]);
      if (i.keyword === 'ENV') vars.push(...[...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]));
      return i.keyword === 'RUN' ? [{ line: i.line, shell, body: i.args, vars: [...vars] }] : [];
    });
  });
}
