import { byKind, podSpecOf, synthDeploy } from './fixture';
import type { PodSpec } from './fixture';

/**
 * The restricted Pod Security Standard, rule by rule, as the Kubernetes docs
 * name them, plus the two hardening rules the standard leaves out. Each
 * returns what violates it; every container counts: init, regular, ephemeral.
 */
const containersOf = (pod: PodSpec): any[] => [...(pod.initContainers ?? []), ...pod.containers, ...(pod.ephemeralContainers ?? [])];
const each = (pod: PodSpec, bad: (c: any) => string | undefined) => containersOf(pod).flatMap((c) => {
  const why = bad(c);
  return why ? [`${c.name}: ${why}`] : [];
});

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

const RULES: Record<string, (pod: PodSpec) => string[]> = {
  // Baseline, which restricted includes.
  'Privileged Containers: privileged unset or false': (pod) => each(pod, (c) => (c.securityContext?.privileged ? 'privileged' : undefined)),
  'Host Namespaces: no hostNetwork, hostPID or hostIPC': (pod) => ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => pod[k] === true),
  'HostPath Volumes: none': (pod) => (pod.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name),
  'Host Ports: none': (pod) => each(pod, (c) => ((c.ports ?? []).some((p: any) => p.hostPort) ? 'hostPort' : undefined)),
  // Restricted.
  'Volume Types: only the restricted types': (pod) => (pod.volumes ?? [])
    .filter((v: any) => Object.keys(v).filter((k) => k !== 'name').some((k) => !RESTRICTED_VOLUME_TYPES.includes(k)))
    .map((v: any) => v.name),
  'Privilege Escalation: allowPrivilegeEscalation false': (pod) =>
    each(pod, (c) => (c.securityContext?.allowPrivilegeEscalation === false ? undefined : 'allowPrivilegeEscalation is not false')),
  'Running as Non-root: runAsNonRoot true': (pod) => each(pod, (c) =>
    ((c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true ? undefined : 'runAsNonRoot is not true')),
  'Running as Non-root user: runAsUser not 0': (pod) => [
    ...(pod.securityContext?.runAsUser === 0 ? ['pod: runAsUser 0'] : []),
    ...each(pod, (c) => (c.securityContext?.runAsUser === 0 ? 'runAsUser 0' : undefined)),
  ],
  'Seccomp: RuntimeDefault or Localhost': (pod) => each(pod, (c) => {
    const type = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
    return ['RuntimeDefault', 'Localhost'].includes(type) ? undefined : `seccomp ${type}`;
  }),
  'Capabilities: drop ALL, add at most NET_BIND_SERVICE': (pod) => each(pod, (c) => {
    const caps = c.securityContext?.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) return 'does not drop ALL';
    const added = (caps.add ?? []).filter((a: string) => a !== 'NET_BIND_SERVICE');
    return added.length ? `adds ${added.join(', ')}` : undefined;
  }),
  // Hardening beyond the standard.
  'Hardening: readOnlyRootFilesystem true': (pod) =>
    each(pod, (c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : 'writable root filesystem')),
  'Hardening: automountServiceAccountToken false': (pod) => (pod.automountServiceAccountToken === false ? [] : ['token mounted']),
};

const synth = synthDeploy();
const deployment = byKind(synth.manifests, 'Deployment');
const job = byKind(synth.manifests, 'Job');
const PODS = [['Deployment', podSpecOf(deployment)], ['Job', podSpecOf(job)]] as const;
const CASES = PODS.flatMap(([kind, pod]) => Object.keys(RULES).map((rule) => [kind, rule, pod] as const));

describe('the restricted Pod Security Standard', () => {
  test.each(CASES)('%s passes "%s"', (_kind, rule, pod) => {
    expect(RULES[rule](pod)).toEqual([]);
  });

  test.each(PODS)('%s runs as the declared uid and gid, not cdk8s-plus\'s 25000, with /tmp on an emptyDir', (_kind, pod) => {
    for (const sc of [pod.securityContext, ...containersOf(pod).map((c) => c.securityContext)]) {
      expect(sc).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    }
    for (const c of containersOf(pod)) expect(c.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmpfs-0' }]);
  });

  test('the rules see init containers too', () => {
    const pod = structuredClone(podSpecOf(deployment));
    pod.initContainers = [{ name: 'init', image: 'x', securityContext: { runAsUser: 0, privileged: true } }];
    const broken = Object.entries(RULES).filter(([, rule]) => rule(pod).length > 0).map(([name]) => name);
    expect(broken).toEqual(expect.arrayContaining([
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
    ['Capabilities: drop ALL, add at most NET_BIND_SERVICE', (p: PodSpec) => { p.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['Hardening: automountServiceAccountToken false', (p: PodSpec) => { delete p.automountServiceAccountToken; }],
  ])('"%s" is able to fail', (rule, edit) => {
    const pod = structuredClone(podSpecOf(deployment));
    edit(pod);
    expect(RULES[rule](pod)).not.toEqual([]);
  });
});
