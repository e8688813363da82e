import { MANIFESTS, SECOND_PROPS, synthDeploy } from './fixture';
import { podRunSettings } from '../../../projenrc/deploy';

const first = synthDeploy();
const second = synthDeploy(SECOND_PROPS);

describe('a second declaration (port 9000, user svc, uid 20000, workers 4, healthPath /ready)', () => {
  test('changes compose.yaml', () => {
    expect(second.out['compose.yaml']).not.toEqual(first.out['compose.yaml']);
    const api = second.compose.services.api;
    expect(api.user).toBe('20000:20000');
    expect(api.ports).toEqual(['127.0.0.1:9000:9000']);
    expect(api.environment).toMatchObject({ PORT: '9000', WEB_CONCURRENCY: '4' });
    expect(second.compose.services.migrate.user).toBe('20000:20000');
  });

  test.each(MANIFESTS)('changes %s', (path) => {
    expect(second.out[path]).not.toEqual(first.out[path]);
  });

  test('each manifest changes for the facts it depends on', () => {
    const m = second.manifests as Record<string, any>;
    const s = podRunSettings(m);
    expect([s.user, s.groupId]).toEqual([20000, 20000]);
    expect(s.probes.map((p) => `${p.kind} ${p.path}:${p.port}`)).toEqual(['startup /health/live:9000', 'readiness /health/live:9000', 'liveness /health/live:9000']);
    const d = m['deploy/kubernetes/deployment.yaml'];
    expect(d.spec.replicas).toBe(5);
    expect(m['deploy/kubernetes/service.yaml'].spec.ports).toEqual([{ name: 'http', port: 9000, targetPort: 9000 }]);
    expect(m['deploy/kubernetes/pod-disruption-budget.yaml'].spec.minAvailable).toBe(4);
    expect(m['deploy/kubernetes/horizontal-pod-autoscaler.yaml'].spec).toMatchObject({ minReplicas: 5, maxReplicas: 15 });
    expect(m['deploy/kubernetes/network-policy.yaml'].spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 9000 }] }]);
    expect(m['deploy/kubernetes/migrate-job.yaml'].spec.template.spec.securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20000 });
  });

  test('changes the docs', () => {
    expect(second.docs).not.toEqual(first.docs);
    expect(second.docs).toContain('not `/ready`');
    expect(second.docs).toContain('uid 20000, gid 20000');
  });

  test('leaves the kustomization alone: it names files and the image, neither of which changed', () => {
    expect(second.out['deploy/kubernetes/kustomization.yaml']).toEqual(first.out['deploy/kubernetes/kustomization.yaml']);
  });
});
