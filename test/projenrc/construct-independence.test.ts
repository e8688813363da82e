import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve, sep } from 'path';
import * as ts from 'typescript';

const PACKAGE_SRC = join(__dirname, '..', '..', 'packages', 'projen-container', 'src');


function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file without its comments: its identifiers and the text of its strings and templates. */
function code(file: string): { identifiers: string[]; strings: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const identifiers: string[] = [];
  const strings: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) identifiers.push(node.text);
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) strings.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return { identifiers, strings };
}

// The construct is for any projen project: what it knows of one comes from the project or from props.
describe.each(sources(PACKAGE_SRC).map((f) => [relative(PACKAGE_SRC, f), f]))('packages/projen-container/src/%s', (_name, file) => {
  const { identifiers, strings } = code(file);

  test('names no app outside comments', () => {
    expect([...identifiers, ...strings].filter((t) => /course.?supporter/i.test(t))).toEqual([]);
  });

  test('hard-codes none of this repository\'s paths', () => {
    expect(strings.filter((s) => /^(test|projenrc(-local)?)$|(^|[\s`(])(projenrc(-local)?|packages\/projen-container)\/|\.projenrc\.ts/.test(s))).toEqual([]);
  });
});

/** The relative imports and re-exports of a file, resolved to paths. */
function localImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifier = (s: ts.Statement) => ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) ? s.moduleSpecifier : undefined);
  return source.statements
    .flatMap((s) => { const m = specifier(s); return m && ts.isStringLiteral(m) ? [m.text] : []; })
    .filter((m) => m.startsWith('.'))
    .map((m) => resolve(dirname(file), m));
}

// The engine is the bottom layer: the construct, verify and publish import it, never the other way.
describe.each(sources(join(PACKAGE_SRC, 'engine')).map((f) => [relative(PACKAGE_SRC, f), f]))('packages/projen-container/src/%s', (_name, file) => {
  test('imports nothing from above engine/', () => {
    expect(localImports(file).filter((i) => !i.startsWith(join(PACKAGE_SRC, 'engine') + sep)).map((i) => relative(PACKAGE_SRC, i))).toEqual([]);
  });
});
