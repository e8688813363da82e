import { podRunSettings } from '../../../packages/projen-container/src';
import { KUSTOMIZATIONS, renderManifests, synthDeploy } from '../deploy/fixture';

const synth = synthDeploy();

describe('podRunSettings', () => {
  test('reads the Deployment\'s app container as docker run would need it', () => {
    expect(podRunSettings(synth.manifests, 'api')).toEqual({
      user: 10001,
      groupId: 10001,
      readOnlyRootFilesystem: true,
      tmpfsPaths: ['/tmp'],
      capDrop: ['ALL'],
      noNewPrivileges: true,
      env: { NODE_OPTIONS: '--max-old-space-size=192', NODE_ENV: 'production', PORT: '8000', WEB_CONCURRENCY: '1' },
      secretEnv: ['DATABASE_URL'],
      probes: [
        { kind: 'startup', path: '/health/live', port: 8000 },
        { kind: 'readiness', path: '/health/live', port: 8000 },
        { kind: 'liveness', path: '/health/live', port: 8000 },
      ],
      terminationGracePeriodSeconds: 10,
      memoryLimitMiB: 256,
    });
  });

  test.each(KUSTOMIZATIONS)('what kubectl kustomize renders from %s agrees with the rendered objects', (dir) => {
    const { manifests } = renderManifests();
    expect(podRunSettings(synth.rendered[dir], 'api')).toEqual(podRunSettings(manifests, 'api'));
  });

  test('follows the declaration', () => {
    const { manifests } = renderManifests({ port: 9000, uid: 20000, gid: 20001, healthPath: '/ready', livenessPath: undefined });
    const s = podRunSettings(manifests, 'api');
    expect([s.user, s.groupId, s.env.PORT]).toEqual([20000, 20001, '9000']);
    expect(s.probes).toEqual([{ kind: 'readiness', path: '/ready', port: 9000 }]);
  });

  test('the memory limit in MiB, from bytes or a binary suffix; none without a limit', () => {
    const { manifests } = renderManifests();
    const deployment = structuredClone(Object.values(manifests).find((o) => o.kind === 'Deployment')) as any;
    const limits = deployment.spec.template.spec.containers[0].resources.limits;
    for (const [memory, mib] of [['1Gi', 1024], ['131072Ki', 128], [268435456, 256]] as const) {
      limits.memory = memory;
      expect(podRunSettings([deployment], 'api').memoryLimitMiB).toBe(mib);
    }
    limits.memory = '256M';
    expect(() => podRunSettings([deployment], 'api')).toThrow('podRunSettings: the memory limit "256M" is not a whole number of bytes, Ki, Mi, Gi or Ti');
    delete limits.memory;
    expect(podRunSettings([deployment], 'api')).not.toHaveProperty('memoryLimitMiB');
  });

  test('names what it cannot read', () => {
    const { manifests } = renderManifests();
    const others = Object.values(manifests).filter((o) => o.kind !== 'Deployment');
    expect(() => podRunSettings(others, 'api')).toThrow('podRunSettings: expected exactly one Deployment, got 0');
    const deployment = structuredClone(Object.values(manifests).find((o) => o.kind === 'Deployment')) as any;
    deployment.spec.template.spec.containers[0].readinessProbe = { tcpSocket: { port: 8000 } };
    expect(() => podRunSettings([deployment], 'api')).toThrow('podRunSettings: the readiness probe is not an HTTP GET');
    deployment.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/', port: 'http' } };
    expect(() => podRunSettings([deployment], 'api')).toThrow('the readiness probe\'s port must be a number, got "http"');
    expect(() => podRunSettings([deployment], 'app')).toThrow('the Deployment has no container named "app"');
  });
});
