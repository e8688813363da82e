import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serviceVersion } from '../../src/package-root';

describe('serviceVersion', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'version-'));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ version: '0.0.0' }));

  test('a release image reports its tag\'s version, set as APP_VERSION at build time', () => {
    expect(serviceVersion({ APP_VERSION: '1.2.3' }, root)).toBe('1.2.3');
  });

  test('without it, the package version; an empty APP_VERSION counts as unset', () => {
    expect(serviceVersion({}, root)).toBe('0.0.0');
    expect(serviceVersion({ APP_VERSION: '' }, root)).toBe('0.0.0');
  });
});
