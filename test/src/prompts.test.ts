import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoPromptsDir } from './support/test-config';
import { loadPrompts, parseTemplate, PromptError } from '../../src/prompts';

const valid = `---
name: greeting
description: Greets a learner.
version: 1.0.0
variables: [learner, course]
---
Hello {{learner}}, welcome to {{ course }}.
`;

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prompts-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

function promptError(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(PromptError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a PromptError');
}

describe('loadPrompts', () => {
  it('loads and validates the shipped templates', () => {
    const catalog = loadPrompts(repoPromptsDir);
    expect([...catalog.keys()]).toEqual(['course-outline', 'lesson-summary', 'quiz-generation']);
    for (const prompt of catalog.values()) {
      expect(prompt.variables.length).toBeGreaterThan(0);
      expect(prompt.body).not.toMatch(/^---/);
    }
  });

  it('parses a valid folder into name, description, version, variables and body', () => {
    const catalog = loadPrompts(folderWith({ 'greeting.md': valid, 'README.txt': 'ignored' }));
    expect(catalog.get('greeting')).toEqual({
      name: 'greeting',
      description: 'Greets a learner.',
      version: '1.0.0',
      variables: ['learner', 'course'],
      body: 'Hello {{learner}}, welcome to {{ course }}.',
    });
    expect(catalog.size).toBe(1);
  });

  it('fails on a missing folder, naming it', () => {
    const missing = path.join(tmpdir(), 'no-such-prompts-folder');
    expect(promptError(() => loadPrompts(missing))).toBe(`prompt error: prompts folder not found: ${missing}`);
  });

  it('fails on a folder without templates', () => {
    expect(promptError(() => loadPrompts(folderWith({})))).toMatch(/^prompt error: no \*\.md templates in /);
  });

  it('fails on an invalid template inside the folder, naming the file', () => {
    const dir = folderWith({ 'greeting.md': valid, 'broken.md': 'no front matter' });
    expect(promptError(() => loadPrompts(dir))).toBe(
      'prompt error: broken.md: front matter: missing; the file must start with a --- delimited YAML block',
    );
  });
});

describe('parseTemplate', () => {
  const withFrontMatter = (yaml: string, body = 'Hello {{learner}}.'): string => `---\n${yaml}\n---\n${body}\n`;
  const base = 'name: greeting\ndescription: Greets.\nversion: 1.0.0\nvariables: [learner]';

  it.each([
    ['a missing field', 'name: greeting\nversion: 1.0.0\nvariables: [learner]', /^prompt error: greeting\.md: description: /],
    ['a non-semver version', base.replace('1.0.0', '1'), /^prompt error: greeting\.md: version: /],
    ['variables that are not a list', base.replace('[learner]', 'learner'), /^prompt error: greeting\.md: variables: /],
    ['a badly named variable', base.replace('[learner]', '[learner, 2bad]'), /^prompt error: greeting\.md: variables\.1: must be an identifier/],
    ['duplicate variables', base.replace('[learner]', '[learner, learner]'), /^prompt error: greeting\.md: variables: must not contain duplicates/],
    ['an unknown key', `${base}\nauthor: me`, /^prompt error: greeting\.md: front matter: .*author/],
    ['invalid YAML', `${base}\ndescription: [unclosed`, /^prompt error: greeting\.md: front matter: invalid YAML: /],
  ])('rejects front matter with %s', (_case, yaml, expected) => {
    expect(promptError(() => parseTemplate('greeting.md', withFrontMatter(yaml)))).toMatch(expected);
  });

  it('rejects a name that does not match the file name', () => {
    expect(promptError(() => parseTemplate('welcome.md', withFrontMatter(base)))).toBe(
      'prompt error: welcome.md: name: "greeting" does not match the file name "welcome"',
    );
  });

  it('rejects a placeholder that is not declared', () => {
    expect(promptError(() => parseTemplate('greeting.md', withFrontMatter(base, 'Hi {{learner}} from {{teacher}}.')))).toBe(
      'prompt error: greeting.md: body: placeholder {{teacher}} is not declared in variables',
    );
  });

  it('rejects a declared variable the body never uses', () => {
    const yaml = base.replace('[learner]', '[learner, course]');
    expect(promptError(() => parseTemplate('greeting.md', withFrontMatter(yaml)))).toBe(
      'prompt error: greeting.md: variables: "course" is declared but never used in the body',
    );
  });

  it('rejects a malformed placeholder', () => {
    expect(promptError(() => parseTemplate('greeting.md', withFrontMatter(base, 'Hi {{learner}} {{first name}}.')))).toBe(
      'prompt error: greeting.md: body: malformed placeholder {{first name}}',
    );
  });

  it('rejects an empty body', () => {
    expect(promptError(() => parseTemplate('greeting.md', withFrontMatter(base, '  ')))).toMatch(/greeting\.md: body: is empty/);
  });
});
