import type { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import { CLUSTER_DNS, DNS_PORT } from './defaults';
import type { NetworkPeer, ResolvedKubernetesProps } from './kubernetes-props';

/**
 * A declared peer as cdk8s-plus selects it: a namespace by its name label,
 * which the API server sets on every namespace (cdk8s-plus renders a
 * namespace alone with an empty pod selector: every pod there).
 */
function peerOf(scope: Construct, id: string, p: NetworkPeer): kplus.INetworkPolicyPeer {
  if (p.cidr !== undefined) {
    // cdk8s-plus's IPv6 pattern takes lowercase hex digits only; the case means nothing to the API.
    return p.cidr.includes(':') ? kplus.NetworkPolicyIpBlock.ipv6(scope, id, p.cidr.toLowerCase()) : kplus.NetworkPolicyIpBlock.ipv4(scope, id, p.cidr);
  }
  const namespaces = p.namespace === undefined ? undefined : kplus.Namespaces.select(scope, `${id}-namespace`, { names: [p.namespace] });
  if (p.podLabels === undefined) return namespaces!;
  return kplus.Pods.select(scope, id, { labels: { ...p.podLabels }, namespaces });
}

/**
 * The policy of the pods with `podLabels`: everything denied both ways but
 * the app's port from the ingress controller and the metrics scraper (a
 * NetworkPolicy sees ports, not paths: the metrics path shares the app's
 * port), DNS to the cluster DNS only, and the database port to the declared
 * database only, if the app has one.
 */
export function networkPolicyOf(
  scope: Construct, metadata: ApiObjectMetadata, appPort: number, k: ResolvedKubernetesProps, podLabels: Record<string, string>,
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'network-policy', {
    metadata,
    selector: kplus.Pods.select(scope, 'policy-pods', { labels: podLabels }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  const peers = (id: string, declared: readonly NetworkPeer[]) => declared.map((p, i) => peerOf(policy, `${id}-${i}`, p));
  const app = [kplus.NetworkPolicyPort.tcp(appPort)];
  for (const peer of peers('from', [...k.ingressFrom, ...k.metricsFrom])) policy.addIngressRule(peer, app);
  const dns = [kplus.NetworkPolicyPort.udp(DNS_PORT), kplus.NetworkPolicyPort.tcp(DNS_PORT)];
  for (const peer of peers('dns', [CLUSTER_DNS])) policy.addEgressRule(peer, dns);
  const database = k.database && [kplus.NetworkPolicyPort.tcp(k.database.port)];
  for (const peer of peers('database', k.database?.to ?? [])) policy.addEgressRule(peer, database);
  return policy;
}
