import { KUSTOMIZATIONS, OVERLAYS, byKind, digestOf, podSpecOf, synthDeploy } from './fixture';
import { openApiErrors } from './openapi';
import { restrictedViolations } from './pod-security';
import type { KubeObject } from '../../../packages/projen-container/src';
import { DEV_VERSION } from '../../../packages/projen-container/src/container/container-image-props';
import { CLUSTER_DNS, MIGRATE_HOOK_ANNOTATIONS, PLACEHOLDER_DIGEST } from '../../../packages/projen-container/src/deploy/defaults';
import { renderKubernetesYaml } from '../../../packages/projen-container/src/deploy/kubernetes-yaml';

const RELEASES = { production: { version: '1.4.0', digest: digestOf('a') }, staging: { version: '1.5.0-rc.1', digest: digestOf('b') } };
const plain = synthDeploy();
const released = synthDeploy({}, { releases: RELEASES });
const OUTPUTS = KUSTOMIZATIONS.map((dir) => [dir, released.rendered[dir]] as const);
const versionOf = (dir: string) => {
  const env = OVERLAYS.find((e) => dir.endsWith(`/${e}`));
  return env ? RELEASES[env].version : DEV_VERSION;
};
const keyOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const PODS = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');

describe('kubectl kustomize renders the base and every overlay', () => {
  test.each(OUTPUTS)('%s: one of each object', (_dir, objects) => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['Deployment', 'HorizontalPodAutoscaler', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  });

  test.each(OUTPUTS)('%s: every object validates against the Kubernetes OpenAPI models', (_dir, objects) => {
    expect(openApiErrors(objects)).toEqual(objects.map(() => []));
  });

  test.each(OUTPUTS)('%s: spread across zones softly and nodes firmly, over the API pods of one ReplicaSet', (_dir, objects) => {
    const deployment = byKind(objects, 'Deployment') as any;
    const spread = podSpecOf(deployment).topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
      ['kubernetes.io/hostname', 'DoNotSchedule', 1],
    ]);
    for (const c of spread) {
      expect(c.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
      expect(c.nodeTaintsPolicy).toBe('Honor');
    }
  });

  test.each(OUTPUTS)('%s: no replicas next to the HPA; the PDB lets a drain take one pod at a time, above the declared capacity', (_dir, objects) => {
    const deployment = byKind(objects, 'Deployment') as any;
    const hpa = byKind(objects, 'HorizontalPodAutoscaler') as any;
    const pdb = byKind(objects, 'PodDisruptionBudget') as any;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(deployment.spec).not.toHaveProperty('replicas');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec).not.toHaveProperty('minAvailable');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  test.each(OUTPUTS)('%s: ingress only from declared sources, egress only to declared destinations', (_dir, objects) => {
    const np = byKind(objects, 'NetworkPolicy') as any;
    expect([...np.spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(np.spec.ingress.length).toBeGreaterThan(0);
    for (const rule of [...np.spec.ingress]) expect(rule.from.length).toBeGreaterThan(0);
    for (const rule of [...np.spec.egress]) expect(rule.to.length).toBeGreaterThan(0);
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 8000 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);
    expect(np.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } }, podSelector: { matchLabels: CLUSTER_DNS.podLabels } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    for (const pod of PODS(objects)) {
      const labels = (pod as any).spec.template.metadata.labels;
      expect(Object.entries(np.spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true);
    }
  });

  test.each(OUTPUTS)('%s: the migration Job is named for its release, an Argo CD hook, and every API pod migrates first', (dir, objects) => {
    const job = byKind(objects, 'Job') as any;
    expect(job.metadata.name).toBe(`demo-migrate-${versionOf(dir)}`);
    expect(job.metadata.annotations).toEqual(MIGRATE_HOOK_ANNOTATIONS);
    const init = podSpecOf(byKind(objects, 'Deployment')).initContainers;
    expect(init.map((c: any) => [c.name, c.command, c.image])).toEqual([['migrate', podSpecOf(job).containers[0].command, podSpecOf(job).containers[0].image]]);
  });

  test.each(OUTPUTS)('%s: a dedicated ServiceAccount without a token, used by every pod', (_dir, objects) => {
    const sa = byKind(objects, 'ServiceAccount') as any;
    expect(sa.automountServiceAccountToken).toBe(false);
    for (const pod of PODS(objects)) {
      expect(podSpecOf(pod).serviceAccountName).toBe(sa.metadata.name);
      expect(podSpecOf(pod).automountServiceAccountToken).toBe(false);
    }
  });

  test.each(OUTPUTS)('%s: version, part-of and managed-by labels on every object and pod; never in a selector', (dir, objects) => {
    const expected = { 'app.kubernetes.io/version': versionOf(dir), 'app.kubernetes.io/part-of': 'demo', 'app.kubernetes.io/managed-by': 'kustomize' };
    for (const o of objects) expect(o.metadata.labels).toMatchObject(expected);
    for (const pod of PODS(objects)) expect((pod as any).spec.template.metadata.labels).toMatchObject(expected);
    expect(JSON.stringify(objects.map((o: any) => o.spec?.selector ?? {}))).not.toContain('version');
  });

  test.each(OUTPUTS)('%s: every pod passes the restricted Pod Security Standard', (_dir, objects) => {
    for (const pod of PODS(objects)) expect(restrictedViolations(podSpecOf(pod))).toEqual({});
  });

  test.each(OUTPUTS)('%s: every image is the registry image pinned by digest', (dir, objects) => {
    const env = OVERLAYS.find((e) => dir.endsWith(`/${e}`));
    const digest = env ? RELEASES[env].digest : PLACEHOLDER_DIGEST;
    for (const pod of PODS(objects)) {
      for (const c of [...(podSpecOf(pod).initContainers ?? []), ...podSpecOf(pod).containers]) expect(c.image).toBe(`ghcr.io/acme/demo-api@${digest}`);
    }
  });
});

describe('a kustomization is the YAML 1.1 kustomize reads', () => {
  test('a string YAML 1.1 would read as a boolean or a number is quoted', () => {
    expect(renderKubernetesYaml({ images: [{ name: 'no' }, { name: 'y' }, { name: '1_0' }, { name: 'demo' }] }, 'marker'))
      .toBe('# marker\n\nimages:\n  - name: "no"\n  - name: "y"\n  - name: "1_0"\n  - name: demo\n');
  });

  test('so is a string YAML 1.2 would read as a number or null, and nothing else', () => {
    expect(renderKubernetesYaml({ env: ['0o17', '1_', '1e3', 'null', 'text', '1.2.3', ''] }, undefined))
      .toBe('env:\n  - "0o17"\n  - "1_"\n  - "1e3"\n  - "null"\n  - text\n  - 1.2.3\n  - ""\n');
  });

  test.each(['y', 'no', 'on'])('an image named %s, a YAML 1.1 boolean, renders from the base and every overlay', (imageName) => {
    const named = synthDeploy({ imageName });
    expect(named.kustomization.images[0].name).toBe(imageName);
    for (const dir of KUSTOMIZATIONS) {
      expect(podSpecOf(byKind(named.rendered[dir], 'Deployment')).containers[0].image).toMatch(/^ghcr\.io\/acme\/demo-api@sha256:/);
    }
  });
});

describe('every manifest is the YAML 1.1 kustomize reads', () => {
  // The property test drew `1_`: YAML 1.2 leaves it bare, kustomize read it as the number 1 and the Deployment failed the API's schema.
  const ENV = { ANSWER: 'y', COUNT: '1_', OCTAL: '0o17', PLAIN: 'text' };
  const withEnv = synthDeploy({ env: ENV });

  test.each(KUSTOMIZATIONS)('%s: env values YAML 1.1 reads as booleans or numbers stay the declared strings', (dir) => {
    const env = podSpecOf(byKind(withEnv.rendered[dir], 'Deployment')).containers[0].env as { name: string; value?: unknown }[];
    expect(Object.fromEntries(env.filter((e) => e.name in ENV).map((e) => [e.name, e.value]))).toEqual(ENV);
    expect(openApiErrors(withEnv.rendered[dir])).toEqual(withEnv.rendered[dir].map(() => []));
  });
});

describe('the overlays', () => {
  const [staging, production] = OVERLAYS.map((e) => released.rendered[`deploy/kubernetes/overlays/${e}`]);
  const sizeOf = (objects: readonly KubeObject[]) => ({
    hpa: (({ minReplicas, maxReplicas }) => ({ minReplicas, maxReplicas }))((byKind(objects, 'HorizontalPodAutoscaler') as any).spec),
    resources: podSpecOf(byKind(objects, 'Deployment')).containers[0].resources,
    migrate: podSpecOf(byKind(objects, 'Job')).containers[0].resources,
  });

  test('production is the declaration\'s size; staging is smaller, with different replica bounds and resources', () => {
    expect(sizeOf(production)).toEqual({
      hpa: { minReplicas: 3, maxReplicas: 9 },
      resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '256Mi' } },
      migrate: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '256Mi' } },
    });
    expect(sizeOf(staging)).toEqual({
      hpa: { minReplicas: 2, maxReplicas: 3 },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      migrate: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
  });

  test.each(OVERLAYS)('%s renders what the component renders in memory for it, object for object', (env) => {
    const fromKubectl = Object.fromEntries(released.rendered[`deploy/kubernetes/overlays/${env}`].map((o) => [keyOf(o), o]));
    const inMemory = Object.fromEntries(Object.values(released.environments[env]).map((o) => [keyOf(o), o]));
    expect(fromKubectl).toEqual(inMemory);
  });

  test('without a release, an overlay pins the placeholder digest and the package version', () => {
    const objects = plain.rendered['deploy/kubernetes/overlays/production'];
    expect(podSpecOf(byKind(objects, 'Deployment')).containers[0].image).toBe(`ghcr.io/acme/demo-api@${PLACEHOLDER_DIGEST}`);
    expect(byKind(objects, 'Job').metadata.name).toBe(`demo-migrate-${DEV_VERSION}`);
  });

  test('a namespace, image pull secrets and an environment\'s own namespace reach every object', () => {
    const s = synthDeploy({}, { kubernetes: { namespace: 'apps', imagePullSecrets: ['registry-creds'], environments: { production: {}, qa: { namespace: 'qa' } } } });
    expect(Object.keys(s.rendered)).toEqual([KUSTOMIZATIONS[0], 'deploy/kubernetes/overlays/production', 'deploy/kubernetes/overlays/qa']);
    for (const [dir, ns] of [[KUSTOMIZATIONS[0], 'apps'], ['deploy/kubernetes/overlays/production', 'apps'], ['deploy/kubernetes/overlays/qa', 'qa']] as const) {
      const objects = s.rendered[dir];
      for (const o of objects) expect(o.metadata.namespace).toBe(ns);
      for (const pod of PODS(objects)) expect(podSpecOf(pod).imagePullSecrets).toEqual([{ name: 'registry-creds' }]);
    }
    const qa = s.rendered['deploy/kubernetes/overlays/qa'];
    expect(Object.fromEntries(qa.map((o) => [keyOf(o), o]))).toEqual(Object.fromEntries(Object.values(s.environments.qa).map((o) => [keyOf(o), o])));
  });
});
