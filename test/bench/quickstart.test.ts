import { readFileSync } from 'fs';
import { join } from 'path';
import { quickstartBlock, withQuickstart } from '../../bench/quickstart';

const README = readFileSync(join(__dirname, '..', '..', 'packages', 'projen-container', 'README.md'), 'utf8');
/** What `projen new typescript-app` writes, in its own quotes. */
const NEW_APP = [
  'import { javascript, typescript } from "projen";',
  'const project = new typescript.TypeScriptAppProject({',
  '  name: "hello",',
  '});',
  'project.synth();',
].join('\n');

test('the README\'s quickstart lands whole: its imports after projen\'s, the declaration before project.synth()', () => {
  const block = quickstartBlock(README).trimEnd().split('\n');
  const added = withQuickstart(NEW_APP, README).split('\n');
  expect(added).toHaveLength(NEW_APP.split('\n').length + block.length);
  const imports = block.filter((l) => l.startsWith('import '));
  const declaration = block.filter((l) => !l.startsWith('import '));
  expect(added.slice(1, 1 + imports.length)).toEqual(imports);
  expect(added.slice(-declaration.length - 1)).toEqual([...declaration, 'project.synth();']);
  expect(block.length).toBeLessThanOrEqual(15);
});

test('a consumer\'s facts replace the README\'s values of those properties, and only those', () => {
  const text = withQuickstart(NEW_APP, README, { imageName: 'web', port: 9090, platforms: ['linux/arm64'] });
  expect(text).toMatch(/^ {2}imageName: 'web',$/m);
  expect(text).toMatch(/^ {2}port: 9090,$/m);
  expect(text).toMatch(/^ {2}platforms: \['linux\/arm64'\],$/m);
  expect(text).toContain(quickstartBlock(README).split('\n').find((l) => l.includes('healthPath')));
});

test('a fact the README does not declare, or a .projenrc.ts without projen\'s import, is refused by name', () => {
  expect(() => withQuickstart(NEW_APP, README, { imagename: 'web' })).toThrow(/declares no imagename/);
  expect(() => withQuickstart(NEW_APP.replace('"projen"', '"other"'), README)).toThrow(/has no .*projen/);
});
