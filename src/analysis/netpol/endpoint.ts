import type { Endpoint } from './evaluate.js';
import { parseIp } from './ip.js';
import type { ModelPod, NetworkModel } from './model.js';

/** The outcome of naming an endpoint: the endpoint, or why it could not be found and what to do. */
export type EndpointResolution =
  { readonly ok: true; readonly endpoint: Endpoint } | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * Resolve `namespace/name`, `namespace/name[Kind]` or a bare IP address. A name is a pod, a workload's
 * representative, or a workload whose Pods are in the input (then its first pod). An address is matched to the
 * pod that has it (an in-scope pod first when several share it); otherwise it is an address outside
 * the cluster.
 */
export function resolveEndpoint(model: NetworkModel, text: string): EndpointResolution {
  const trimmed = text.trim();
  const address = parseIp(trimmed);
  if (address !== undefined) {
    const pods = model.podsByIp(address);
    const pod = pods.find((p) => p.outOfScope === undefined) ?? pods[0];
    return { ok: true, endpoint: pod === undefined ? { kind: 'external', address } : { kind: 'pod', pod } };
  }
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    return {
      ok: false,
      message: `"${text}" is neither NAMESPACE/NAME nor an IP address`,
      hint: 'Name a pod or workload as namespace/name (for example shop/web), or give an address such as 203.0.113.7.',
    };
  }
  const direct = model.podById(trimmed);
  if (direct !== undefined) return { ok: true, endpoint: { kind: 'pod', pod: direct } };
  const namespace = trimmed.slice(0, slash);
  const name = trimmed.slice(slash + 1).replace(/\[[^\]]*\]$/, '');
  const candidates = model.pods.filter((p) => p.namespace === namespace && p.name === name);
  if (candidates.length === 1) return { ok: true, endpoint: { kind: 'pod', pod: candidates[0] as ModelPod } };
  if (candidates.length > 1) {
    return {
      ok: false,
      message: `"${text}" names ${candidates.length} pods or workloads`,
      hint: `Say which: ${candidates.map((p) => p.id).join(', ')}.`,
    };
  }
  // A workload whose Pods are in the input is represented by them: answer for its first pod (the
  // answer names the pod it used; replicas share labels, so they normally share the answer).
  const owned = model.pods
    .filter((p) => p.namespace === namespace && p.owner.ref.name === name && p.owner !== p.entry)
    .sort((a, b) => Number(a.outOfScope !== undefined) - Number(b.outOfScope !== undefined) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (owned[0] !== undefined) return { ok: true, endpoint: { kind: 'pod', pod: owned[0] } };
  const inNamespace = model.pods.filter((p) => p.namespace === namespace).map((p) => p.id);
  return {
    ok: false,
    message: `no pod or workload "${name}" in namespace "${namespace}"`,
    hint:
      inNamespace.length === 0
        ? `The input has no pods or workloads in namespace "${namespace}".`
        : `Pods and workloads there: ${inNamespace.slice(0, 10).join(', ')}${inNamespace.length > 10 ? `, … (${inNamespace.length} in all)` : ''}.`,
  };
}
