import { CLUSTER_DNS } from './defaults';
import type { NetworkPeer, ResolvedKubernetesProps } from './kubernetes-props';
import type { ResolvedContainer } from '../container';

/** A NetworkPolicy peer as the API spells it. */
export type PolicyPeer =
  | { readonly ipBlock: { readonly cidr: string } }
  | { readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector };
type LabelSelector = { readonly matchLabels: Record<string, string> };

/** A declared peer in the API's terms; a namespace by its name label, which the API server sets on every namespace. Pure. */
export function policyPeer(p: NetworkPeer): PolicyPeer {
  if (p.cidr !== undefined) return { ipBlock: { cidr: p.cidr } };
  return {
    ...(p.namespace !== undefined ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
    ...(p.podLabels !== undefined ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
  };
}

const tcp = (port: number) => ({ protocol: 'TCP', port });

/**
 * The policy's rules: the app's port only from the ingress controller and
 * the metrics scraper (a NetworkPolicy sees ports, not paths: the metrics
 * path shares the app's port), DNS only to the cluster DNS, and the
 * database port only to the declared database, if the app has one. Pure.
 */
export function networkPolicySpec(r: ResolvedContainer, k: ResolvedKubernetesProps, podLabels: Record<string, string>) {
  const from = (peers: readonly NetworkPeer[]) => ({ from: peers.map(policyPeer), ports: [tcp(r.port)] });
  return {
    podSelector: { matchLabels: podLabels },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [k.ingressFrom, k.metricsFrom].filter((peers) => peers.length > 0).map(from),
    egress: [
      { to: [policyPeer(CLUSTER_DNS)], ports: ['UDP', 'TCP'].map((protocol) => ({ protocol, port: 53 })) },
      ...(k.database ? [{ to: k.database.to.map(policyPeer), ports: [tcp(k.database.port)] }] : []),
    ],
  };
}
