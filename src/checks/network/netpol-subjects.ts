/**
 * What the NetworkPolicy checks report on: one finding per workload (the top controller in the
 * input), not per replica, pointing at the pod template's metadata where the labels that policies
 * select on live.
 */
import { compilePolicy, type CompiledPolicy, type ModelPod, type NetworkModel, type Rule } from '../../analysis/netpol/index.js';
import type { InventoryObject } from '../../inventory/inventory.js';
import { arrayOrEmpty, isRecord } from '../../k8s/guards.js';
import { podTemplateOf } from '../../k8s/pod-templates.js';

export interface Workload {
  readonly owner: InventoryObject;
  /** Pointer of the metadata (with the labels) inside the owner. */
  readonly metadataPointer: string;
  /** The in-scope pods of the workload in the model (at least one). */
  readonly pods: readonly ModelPod[];
}

/** In-scope pods grouped by the workload they belong to, in model order. */
export function workloadsOf(model: NetworkModel): Workload[] {
  const byOwner = new Map<InventoryObject, ModelPod[]>();
  for (const pod of model.pods) {
    if (pod.outOfScope !== undefined) continue;
    const list = byOwner.get(pod.owner);
    if (list === undefined) byOwner.set(pod.owner, [pod]);
    else list.push(pod);
  }
  return [...byOwner].map(([owner, pods]) => ({
    owner,
    metadataPointer: owner.ref.kind === 'Pod' ? '/metadata' : (podTemplateOf(owner.object)?.metadataPointer ?? '/metadata'),
    pods,
  }));
}

/** `Deployment "web"`: how a message names a workload. */
export function workloadName(owner: InventoryObject): string {
  return `${owner.ref.kind} "${owner.ref.name}"`;
}

/** A label selector as people write it: `app=web, tier in (a,b)`; `{}` for the empty one. */
export function formatSelector(raw: unknown): string {
  if (!isRecord(raw)) return '{}';
  const parts: string[] = [];
  if (isRecord(raw.matchLabels)) for (const [k, v] of Object.entries(raw.matchLabels)) parts.push(`${k}=${String(v)}`);
  for (const expr of arrayOrEmpty(raw.matchExpressions)) {
    if (!isRecord(expr)) continue;
    const key = String(expr.key);
    const values = arrayOrEmpty(expr.values).map(String).join(',');
    switch (expr.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        parts.push(`${key} ${String(expr.operator)} (${values})`);
    }
  }
  return parts.length === 0 ? '{}' : parts.join(', ');
}

/** The compiled form of a NetworkPolicy object as the checks see it (namespace resolved by the Inventory). */
export function compiledPolicyOf(entry: InventoryObject): CompiledPolicy {
  return compilePolicy(entry.object, entry.ref.namespace ?? 'default', entry);
}

/** ` on every port`, ` on TCP 443`, ` on TCP 443 and the port named http`: what a rule's ports allow. */
export function portsPhrase(rule: Rule): string {
  const named = rule.namedPorts.map((n) => `${n.name}${n.protocol === 'TCP' ? '' : `/${n.protocol}`}`);
  const namedText = named.length === 0 ? '' : `the port${named.length > 1 ? 's' : ''} named ${named.join(', ')}`;
  if (rule.staticPorts.isAll) return ' on every port';
  if (rule.staticPorts.isEmpty) return ` on ${namedText}`;
  return ` on ${rule.staticPorts.toString()}${namedText === '' ? '' : ` and ${namedText}`}`;
}

/** `spec.ingress[2]`: how messages name a rule (the same field path findings point at). */
export function ruleName(rule: Rule): string {
  return `spec.${rule.direction}[${rule.index}]`;
}
