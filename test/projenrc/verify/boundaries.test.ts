import { readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const ROOT = resolve(__dirname, '../../..');
const VERIFY = join(ROOT, 'packages/projen-container/src/verify');
const DEPLOY = join(ROOT, 'packages/projen-container/src/deploy');

/** The module paths a TypeScript source imports or re-exports, relative ones resolved against its folder. */
function importsOf(file: string, source: string): string[] {
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|\brequire\('([^']+)'\)|\bimport\('([^']+)'\)/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]);
  return specifiers.map((s) => (s.startsWith('.') ? resolve(dirname(file), s) : s));
}

const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('folders by ownership', () => {
  test('verify imports nothing from deploy: the pod check reads the rendered production overlay instead', () => {
    const crossings = sources(VERIFY).flatMap((file) => importsOf(file, readFileSync(file, 'utf8'))
      .filter((target) => target === DEPLOY || target.startsWith(`${DEPLOY}/`))
      .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`));
    expect(crossings).toEqual([]);
  });

  test('the scan sees every form of import', () => {
    const file = join(VERIFY, 'categories/x.ts');
    const source = [
      "import type { A } from '../../deploy/kubernetes';",
      "import {\n  B,\n} from '../../deploy/defaults';",
      "export { C } from '../../deploy';",
      "const d = require('../../deploy/compose');",
      "const e = import('../../deploy/overlays');",
      "import { F } from '../engine';",
    ].join('\n');
    expect(importsOf(file, source).filter((t) => t.startsWith(DEPLOY))).toHaveLength(5);
  });
});
