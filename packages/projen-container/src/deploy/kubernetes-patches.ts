import { ApiObject, JsonPatch } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-34';

/** What the pods need that cdk8s-plus has no prop for. */
export interface BeyondCdk8sPlus {
  /** Every Secret the pods pull the image with. */
  readonly imagePullSecrets: readonly string[];
  /** The Deployment's topology spread constraints. */
  readonly topologySpreadConstraints: readonly object[];
  /** How long the app container sleeps before its SIGTERM. */
  readonly preStopSleepS: number;
}

const TEMPLATE = '/spec/template';
const POD = `${TEMPLATE}/spec`;

/**
 * The one place the rendered objects are patched: each patch is something
 * cdk8s-plus cannot express, and says why. Everything else is cdk8s-plus's.
 */
export function patchBeyondCdk8sPlus(
  workloads: { readonly deployment: kplus.Deployment; readonly job: kplus.Job | undefined }, beyond: BeyondCdk8sPlus,
): void {
  for (const workload of [workloads.deployment, workloads.job]) {
    if (!workload) continue;
    ApiObject.of(workload).addJsonPatch(
      // cdk8s-plus labels every pod with its construct path, even unselected; our selectors use the
      // app.kubernetes.io labels instead, and a label derived from a construct path says nothing to a reader.
      JsonPatch.remove(`${TEMPLATE}/metadata/labels/cdk8s.io~1metadata.addr`),
      // cdk8s-plus sets each container's seccomp profile, not the pod's: the pod's covers every container, a debug one too.
      JsonPatch.add(`${POD}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
      // cdk8s-plus takes one registry Secret (dockerRegistryAuth); the props take a list.
      ...(beyond.imagePullSecrets.length ? [JsonPatch.add(`${POD}/imagePullSecrets`, beyond.imagePullSecrets.map((name) => ({ name })))] : []),
    );
  }
  ApiObject.of(workloads.deployment).addJsonPatch(
    // cdk8s-plus spreads pods with anti-affinity only; topology spread constraints are what allow a skew and a soft zone rule.
    JsonPatch.add(`${POD}/topologySpreadConstraints`, beyond.topologySpreadConstraints),
    // cdk8s-plus's handlers are exec, HTTP and TCP, not the kubelet's sleep action, which needs no binary in the image.
    JsonPatch.add(`${POD}/containers/0/lifecycle`, { preStop: { sleep: { seconds: beyond.preStopSleepS } } }),
  );
}
