/**
 * The package README's quickstart, as a consumer adds it to the `.projenrc.ts` that `projen new typescript-app`
 * wrote. The README's code block is the one copy of those lines: ci/consumers.sh and the bench's consumer
 * (measure-synth.ts) both take them from there, each replacing only its own facts. It imports nothing and uses
 * only erasable TypeScript, so that ci/consumers.sh runs it with node as it is.
 */

/** A value of the declaration, written as the README writes its own. */
export type Fact = string | number | readonly string[];

const literal = (v: Fact): string => (typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : `[${v.map(literal).join(', ')}]`);

/** The README's first `ts` code block below its `## Quickstart` heading. Pure. */
export function quickstartBlock(readme: string): string {
  const block = /^## Quickstart\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (!block) throw new Error('the README has no ```ts code block under ## Quickstart');
  return block[1];
}

/**
 * `projenrc` with the quickstart added: its imports after projen's, the rest before `project.synth()`, each of
 * `facts` in place of the README's value of that property (the line's comment, which explains the README's
 * value, is dropped). Pure.
 */
export function withQuickstart(projenrc: string, readme: string, facts: Readonly<Record<string, Fact>> = {}): string {
  const block = quickstartBlock(readme).trimEnd().split('\n');
  const property = (line: string): string | undefined => /^\s+(\w+): /.exec(line)?.[1];
  const undeclared = Object.keys(facts).filter((name) => !block.some((l) => property(l) === name));
  if (undeclared.length) throw new Error(`the README's quickstart declares no ${undeclared.join(', ')}`);
  const lines = block.map((l) => {
    const name = property(l);
    return name !== undefined && Object.hasOwn(facts, name) ? `${l.slice(0, l.indexOf(':'))}: ${literal(facts[name])},` : l;
  });
  const imports = lines.filter((l) => l.startsWith('import '));
  const declaration = lines.filter((l) => !l.startsWith('import '));
  // projen new writes double quotes; a project's eslint --fix makes them single: either may be there.
  const edit = (text: string, anchor: RegExp, add: (found: string) => string): string => {
    if (!anchor.test(text)) throw new Error(`.projenrc.ts has no ${anchor} to add the quickstart to`);
    return text.replace(anchor, add);
  };
  const withImports = edit(projenrc, /from ["']projen["'];\n/, (found) => `${found}${imports.map((l) => `${l}\n`).join('')}`);
  return edit(withImports, /^project\.synth\(\);/m, (found) => `${declaration.map((l) => `${l}\n`).join('')}${found}`);
}
