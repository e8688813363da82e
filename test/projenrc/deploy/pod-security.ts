/**
 * The restricted Pod Security Standard, rule by rule, as the Kubernetes docs
 * name them, plus the two hardening rules the standard leaves out. Each
 * returns what violates it; every container counts: init, regular, ephemeral.
 */
export type PodSpec = Record<string, any>;

export const containersOf = (pod: PodSpec): any[] => [...(pod.initContainers ?? []), ...pod.containers, ...(pod.ephemeralContainers ?? [])];
const each = (pod: PodSpec, bad: (c: any) => string | undefined) => containersOf(pod).flatMap((c) => {
  const why = bad(c);
  return why ? [`${c.name}: ${why}`] : [];
});

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

export const RESTRICTED_RULES: Record<string, (pod: PodSpec) => string[]> = {
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

/** Every rule's violations in one pod spec, by rule; empty when it passes the standard. */
export function restrictedViolations(pod: PodSpec): Record<string, string[]> {
  return Object.fromEntries(Object.entries(RESTRICTED_RULES).map(([name, rule]) => [name, rule(pod)]).filter(([, v]) => v.length > 0));
}
