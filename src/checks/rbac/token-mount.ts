import { stringOrUndefined } from '../../k8s/guards.js';
import type { PodSpecSubject } from '../define-check.js';

/** Whether a pod gets a service-account token mounted automatically, and which account's. */
export interface TokenMount {
  readonly mounted: boolean;
  /** True when the pod spec itself sets automountServiceAccountToken: true. */
  readonly explicit: boolean;
  /** Where to point: the pod's automountServiceAccountToken field, or the pod spec. */
  readonly pointer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The token the kubelet mounts into a pod (Kubernetes docs, "Configure Service Accounts for Pods"):
 * the pod's `automountServiceAccountToken` wins; when it is unset, the ServiceAccount's setting
 * applies; when neither says false, the token is mounted. A pod that names no service account runs
 * as `default` (the deprecated `serviceAccount` field is read too). A ServiceAccount missing from
 * the input counts as not opting out.
 */
export function tokenMountOf(pod: PodSpecSubject): TokenMount {
  const spec = pod.spec;
  const namespace = pod.workload.ref.namespace ?? pod.inventory.defaultNamespace;
  const named = stringOrUndefined(spec.serviceAccountName) ?? stringOrUndefined(spec.serviceAccount);
  const serviceAccount = named === undefined || named === '' ? 'default' : named;
  const base = { namespace, serviceAccount };
  if (spec.automountServiceAccountToken === true) {
    return { ...base, mounted: true, explicit: true, pointer: `${pod.pointer}/automountServiceAccountToken` };
  }
  if (spec.automountServiceAccountToken === false)
    return { ...base, mounted: false, explicit: true, pointer: `${pod.pointer}/automountServiceAccountToken` };
  const account = pod.inventory.get('', 'ServiceAccount', namespace, serviceAccount);
  const optedOut = account?.object.automountServiceAccountToken === false;
  return { ...base, mounted: !optedOut, explicit: false, pointer: pod.pointer };
}
