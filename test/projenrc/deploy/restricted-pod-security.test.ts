import { byKind, podSpecOf, synthDeploy } from './fixture';
import { RESTRICTED_RULES, containersOf, restrictedViolations } from './pod-security';
import type { PodSpec } from './pod-security';

const synth = synthDeploy();
const deployment = byKind(synth.manifests, 'Deployment');
const job = byKind(synth.manifests, 'Job');
const PODS = [['Deployment', podSpecOf(deployment)], ['Job', podSpecOf(job)]] as const;
const CASES = PODS.flatMap(([kind, pod]) => Object.keys(RESTRICTED_RULES).map((rule) => [kind, rule, pod] as const));

describe('the restricted Pod Security Standard', () => {
  test.each(CASES)('%s passes "%s"', (_kind, rule, pod) => {
    expect(RESTRICTED_RULES[rule](pod)).toEqual([]);
  });

  test.each(PODS)('%s runs as the declared uid and gid, not cdk8s-plus\'s 25000, with /tmp on an emptyDir', (_kind, pod) => {
    for (const sc of [pod.securityContext, ...containersOf(pod).map((c) => c.securityContext)]) {
      expect(sc).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    }
    for (const c of containersOf(pod)) expect(c.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmpfs-0' }]);
  });

  test('the rules see init containers too', () => {
    const pod = structuredClone(podSpecOf(deployment));
    pod.initContainers = [...pod.initContainers, { name: 'init', image: 'x', securityContext: { runAsUser: 0, privileged: true } }];
    expect(Object.keys(restrictedViolations(pod))).toEqual(expect.arrayContaining([
      'Privileged Containers: privileged unset or false',
      'Privilege Escalation: allowPrivilegeEscalation false',
      'Running as Non-root user: runAsUser not 0',
      'Capabilities: drop ALL, add at most NET_BIND_SERVICE',
      'Hardening: readOnlyRootFilesystem true',
    ]));
  });

  test.each([
    ['Host Namespaces: no hostNetwork, hostPID or hostIPC', (p: PodSpec) => { p.hostNetwork = true; }],
    ['HostPath Volumes: none', (p: PodSpec) => { p.volumes.push({ name: 'h', hostPath: { path: '/' } }); }],
    ['Volume Types: only the restricted types', (p: PodSpec) => { p.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }); }],
    ['Host Ports: none', (p: PodSpec) => { p.containers[0].ports[0].hostPort = 80; }],
    ['Running as Non-root: runAsNonRoot true', (p: PodSpec) => { delete p.securityContext.runAsNonRoot; delete p.containers[0].securityContext.runAsNonRoot; }],
    ['Seccomp: RuntimeDefault or Localhost', (p: PodSpec) => { p.containers[0].securityContext.seccompProfile.type = 'Unconfined'; }],
    ['Capabilities: drop ALL, add at most NET_BIND_SERVICE', (p: PodSpec) => { p.initContainers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['Hardening: automountServiceAccountToken false', (p: PodSpec) => { delete p.automountServiceAccountToken; }],
  ])('"%s" is able to fail', (rule, edit) => {
    const pod = structuredClone(podSpecOf(deployment));
    edit(pod);
    expect(RESTRICTED_RULES[rule](pod)).not.toEqual([]);
  });
});
