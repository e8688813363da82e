import { KUSTOMIZATIONS, MANIFESTS, OVERLAYS, SECOND_PROPS, byKind, podSpecOf, synthDeploy } from './fixture';
import { podRunSettings } from '../../../packages/projen-container/src';

const first = synthDeploy();
const second = synthDeploy(SECOND_PROPS);
const overlayFiles = (out: Record<string, any>, env: string) =>
  Object.entries(out).filter(([path]) => path.startsWith(`deploy/kubernetes/overlays/${env}/`));

describe('a second declaration (port 9000, user svc, uid 20000, workers 4, /ready, /internal/metrics, 8 s shutdown)', () => {
  test('changes the compose file', () => {
    expect(second.out[second.composeFile]).not.toEqual(first.out[first.composeFile]);
    const api = second.compose.services.api;
    expect(api.user).toBe('20000:20000');
    expect(api.ports).toEqual(['127.0.0.1:9000:9000']);
    expect(api.environment).toMatchObject({ PORT: '9000', WEB_CONCURRENCY: '4' });
    expect(second.compose.services.migrate.user).toBe('20000:20000');
  });

  // The ServiceAccount and the PodDisruptionBudget depend on the image name and labels only, neither of which changed.
  const UNCHANGED = ['/service-account.yaml', '/pod-disruption-budget.yaml'];
  const CHANGED = MANIFESTS.filter((m) => !UNCHANGED.some((u) => m.endsWith(u)));
  test.each(CHANGED)('changes %s', (path) => {
    expect(second.out[path]).not.toEqual(first.out[path]);
  });

  test.each(UNCHANGED)('leaves base%s alone', (file) => {
    expect(second.out[`deploy/kubernetes/base${file}`]).toEqual(first.out[`deploy/kubernetes/base${file}`]);
  });

  test.each(OVERLAYS)('changes the %s overlay\'s files', (env) => {
    expect(overlayFiles(second.out, env)).not.toEqual(overlayFiles(first.out, env));
  });

  test.each(KUSTOMIZATIONS)('changes what kubectl kustomize renders from %s: every object that carries a declared fact', (dir) => {
    const before = first.rendered[dir];
    const after = second.rendered[dir];
    expect(after.map((o) => o.kind)).toEqual(before.map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'NetworkPolicy', 'Job', 'HorizontalPodAutoscaler']) {
      expect(byKind(after, kind)).not.toEqual(byKind(before, kind));
    }
  });

  test.each(KUSTOMIZATIONS)('%s: port, probes, grace period, user and metrics path follow the declaration', (dir) => {
    const objects = second.rendered[dir];
    const s = podRunSettings(objects, 'api');
    expect([s.user, s.groupId]).toEqual([20000, 20000]);
    expect(s.probes.map((p) => `${p.kind} ${p.path}:${p.port}`)).toEqual(['startup /health/live:9000', 'readiness /health/live:9000', 'liveness /health/live:9000']);
    expect(s.terminationGracePeriodSeconds).toBe(5 + 8 + 2);
    const deployment = byKind(objects, 'Deployment') as any;
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': '9000', 'prometheus.io/path': '/internal/metrics' });
    expect((byKind(objects, 'Service') as any).spec.ports).toEqual([{ name: 'http', port: 9000, targetPort: 9000 }]);
    expect((byKind(objects, 'NetworkPolicy') as any).spec.ingress.map((rule: any) => rule.ports)).toEqual([[{ protocol: 'TCP', port: 9000 }], [{ protocol: 'TCP', port: 9000 }]]);
    expect(podSpecOf(byKind(objects, 'Job')).securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20000 });
  });

  test('production sizes itself from the declared workers; staging grows to production\'s floor', () => {
    const hpa = (env: string) => (byKind(second.rendered[`deploy/kubernetes/overlays/${env}`], 'HorizontalPodAutoscaler') as any).spec;
    expect(hpa('production')).toMatchObject({ minReplicas: 5, maxReplicas: 15 });
    expect(hpa('staging')).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
  });

  test('changes the docs', () => {
    expect(second.docs).not.toEqual(first.docs);
    expect(second.docs).toContain('not `/ready`');
    expect(second.docs).toContain('uid 20000, gid 20000');
    expect(second.docs).toContain('TCP 9000 (`/internal/metrics`)');
  });

  test('leaves the base kustomization alone: it names files and the image, neither of which changed', () => {
    expect(second.out['deploy/kubernetes/base/kustomization.yaml']).toEqual(first.out['deploy/kubernetes/base/kustomization.yaml']);
  });
});
