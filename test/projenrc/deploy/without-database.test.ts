import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing, javascript, typescript } from 'projen';
import { parse } from 'yaml';
import { podSpecOf } from './fixture';
import type { ResolvedContainer, RuntimeCheck } from '../../../packages/projen-container/src';
import { ContainerDocs, ContainerImage, ContainerWorkflow, podRunSettings } from '../../../packages/projen-container/src';
import { parseSpec } from '../../../packages/projen-container/src/container/read-spec';
import { ComposeStack, DeployDocs, KubernetesManifests } from '../../../packages/projen-container/src/deploy';
import { judgeRuntime } from '../../../packages/projen-container/src/verify/categories/runtime';

// project.synth() would otherwise run npm install in the temp project.
process.env.PROJEN_DISABLE_POST = 'true';

/**
 * A consumer's app as the issue describes it: its own name, port, user and
 * health path, no database, no metrics path, no app config, no liveness path
 * (so the pod's readiness probe asks the health path), and every component.
 */
function synthesize() {
  const outdir = mkdtempSync(join(tmpdir(), 'without-database-'));
  mkdirSync(join(outdir, 'src'));
  writeFileSync(join(outdir, 'src', 'index.ts'), 'export {};\n');
  const project = new typescript.TypeScriptAppProject({
    name: 'greeter',
    defaultReleaseBranch: 'main',
    outdir,
    repository: 'https://github.com/acme/greeter',
    packageManager: javascript.NodePackageManager.NPM,
    entrypoint: 'lib/index.js',
    minNodeVersion: '24.0.0',
    release: true,
  });
  const image = new ContainerImage(project, {
    imageName: 'greeter',
    port: 9090,
    user: 'greeter',
    healthPath: '/ready',
    shutdownTimeoutMs: 2000,
    sizeBudgetMb: 150,
  });
  new ContainerDocs(image);
  new ContainerWorkflow(image);
  const stack = new ComposeStack(image);
  const kubernetes = new KubernetesManifests(image);
  new DeployDocs(image, stack, kubernetes);
  const production = kubernetes.environment('production');
  return { out: Testing.synth(project), production, composeFile: stack.compose.file.path };
}

const { out, production, composeFile } = synthesize();
const yaml = (path: string) => parse(out[path]);
const spec = out['.projen/container.json'] as ResolvedContainer;
const base = (file: string) => `deploy/kubernetes/base/${file}`;
const DATABASE_WORDS = /migrat|database|postgres/i;

describe('an app that declares no database', () => {
  test('compose runs the app alone: no PostgreSQL, no migration, no DATABASE_URL, no volume', () => {
    const compose = yaml(composeFile);
    expect(Object.keys(compose.services)).toEqual(['api']);
    expect(compose.services.api.environment).not.toHaveProperty('DATABASE_URL');
    expect(compose.services.api.depends_on).toBeUndefined();
    expect(compose.volumes).toBeUndefined();
  });

  test('no .env.example: compose reads no variable', () => {
    expect(out['.env.example']).toBeUndefined();
  });

  test('the Deployment reads no Secret, and nothing migrates', () => {
    const deployment = yaml(base('deployment.yaml'));
    expect(podRunSettings([deployment], 'api').secretEnv).toEqual([]);
    expect(JSON.stringify(deployment)).not.toMatch(/secretKeyRef|DATABASE_URL/);
    expect(podSpecOf(deployment).initContainers).toBeUndefined();
    expect(Object.keys(out).filter((p) => p.endsWith('migrate-job.yaml'))).toEqual([]);
    expect(yaml(base('kustomization.yaml')).resources).not.toContain('migrate-job.yaml');
  });

  test('the NetworkPolicy lets the pods reach the cluster DNS only', () => {
    const policy = yaml(base('network-policy.yaml'));
    expect(policy.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('no workflow runs PostgreSQL or hands verify a database', () => {
    const workflows = Object.keys(out).filter((p) => p.startsWith('.github/workflows/'));
    expect(workflows).toContain('.github/workflows/container.yml');
    for (const path of workflows) expect({ path, text: out[path] }).toEqual({ path, text: expect.not.stringMatching(/postgres|DATABASE_URL/i) });
    for (const job of Object.values<any>(yaml('.github/workflows/container.yml').jobs)) expect(job.services).toBeUndefined();
  });

  test('docker:run passes no DATABASE_URL', () => {
    const run = out['.projen/tasks.json'].tasks['docker:run'];
    expect(JSON.stringify(run)).not.toContain('DATABASE_URL');
  });

  test('verify\'s pod check expects 200 from every probe, the health path\'s included', () => {
    const check = spec.checks.runtime.find((c) => c.kind === 'pod') as RuntimeCheck;
    const settings = podRunSettings(production, 'api');
    expect(settings.probes.map((p) => p.path)).toContain('/ready');
    const answered = (status: number) => judgeRuntime(check, {
      kind: 'pod',
      pod: {
        settings,
        probes: settings.probes.map((probe) => ({ probe, answer: { status, body: '' } })),
        stop: { exitCode: 0, elapsedMs: 100 },
        // V8 stopped at a limit below the pod's memory limit, as production's NODE_OPTIONS makes it.
        heap: { limitMiB: 195, oomKilled: false, v8OutOfMemory: true, exitCode: 139 },
      },
    }).status;
    expect(answered(200)).toBe('pass');
    expect(answered(503)).toBe('fail');
  });

  test.each(['docs/container.md', 'docs/deploy.md'])('%s says nothing of a database or migrations', (path) => {
    expect(out[path]).toBeDefined();
    expect(out[path].split('\n').filter((line: string) => DATABASE_WORDS.test(line))).toEqual([]);
  });

  test('the check plan has no database check', () => {
    expect(spec.checks.runtime.map((c) => c.kind)).not.toContain('database');
  });

  test('the spec reads back: verify and the other tools accept it', () => {
    expect(parseSpec(spec, '.projen/container.json')).not.toHaveProperty('database');
  });
});

describe('an app that declares no metrics path', () => {
  test('its pods carry no scrape annotations, and no scraper may connect', () => {
    const deployment = yaml(base('deployment.yaml'));
    expect(JSON.stringify(deployment)).not.toContain('prometheus.io');
    const policy = yaml(base('network-policy.yaml'));
    expect(policy.spec.ingress).toEqual([{
      // A namespace alone: every pod there.
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} }],
      ports: [{ protocol: 'TCP', port: 9090 }],
    }]);
  });

  test('the docs name no metrics path, and nothing else does', () => {
    // metrics-server (the HPA's) is not the app's metrics.
    expect(out['docs/deploy.md']).not.toMatch(/metricsPath|metricsFrom|prometheus|scrape/i);
    expect(spec).not.toHaveProperty('metricsPath');
  });

  test('no app config is written: it is optional', () => {
    expect(Object.keys(out).filter((p) => p.startsWith('config/'))).toEqual([]);
  });
});
