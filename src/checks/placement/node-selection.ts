/**
 * Which nodes a pod can be scheduled onto, as the scheduler's filters decide it: `nodeName`,
 * `nodeSelector`, required node affinity (terms ORed, expressions within a term ANDed; label
 * operators In, NotIn, Exists, DoesNotExist, Gt, Lt; field selectors on metadata.name), and
 * NoSchedule / NoExecute taints that the pod does not tolerate.
 * Sources: Kubernetes "Assigning Pods to Nodes" and "Taints and Tolerations"; k8s.io/component-helpers
 * scheduling/corev1 (node affinity and toleration matching).
 */
import { arrayOrEmpty, isRecord, stringMap, type JsonRecord } from '../../k8s/guards.js';
import type { KubeObject, PodSpec } from '../../k8s/types.js';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

/** True when a toleration matches a taint (an empty key with `Exists` tolerates every taint). */
export function tolerationMatches(toleration: unknown, taint: Taint): boolean {
  if (!isRecord(toleration)) return false;
  const effect = toleration.effect;
  if (effect !== undefined && effect !== '' && effect !== taint.effect) return false;
  const key = typeof toleration.key === 'string' ? toleration.key : '';
  const operator = toleration.operator === 'Exists' ? 'Exists' : 'Equal';
  if (key === '') return operator === 'Exists';
  if (key !== taint.key) return false;
  if (operator === 'Exists') return true;
  return (typeof toleration.value === 'string' ? toleration.value : '') === (taint.value ?? '');
}

function matchesExpression(expression: JsonRecord, labels: Readonly<Record<string, string>>): boolean {
  const key = typeof expression.key === 'string' ? expression.key : '';
  const values = arrayOrEmpty(expression.values).filter((v): v is string => typeof v === 'string');
  const has = Object.hasOwn(labels, key);
  const value = labels[key];
  switch (expression.operator) {
    case 'In':
      return has && values.includes(value as string);
    case 'NotIn':
      return !has || !values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const bound = Number(values[0]);
      const actual = Number(value);
      if (!has || !Number.isInteger(bound) || !Number.isInteger(actual)) return false;
      return expression.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function matchesTerm(term: unknown, node: KubeObject): boolean {
  if (!isRecord(term)) return false;
  const labels = stringMap(node.metadata.labels);
  const expressions = arrayOrEmpty(term.matchExpressions);
  const fields = arrayOrEmpty(term.matchFields);
  // A term with no requirements matches no node (NodeSelectorTerm semantics).
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const e of expressions) if (!isRecord(e) || !matchesExpression(e, labels)) return false;
  for (const f of fields)
    if (!isRecord(f) || f.key !== 'metadata.name' || !matchesExpression(f, { 'metadata.name': node.metadata.name })) return false;
  return true;
}

/** The required node-affinity terms of a pod, or undefined when there is no such requirement. */
export function requiredTerms(spec: PodSpec): readonly unknown[] | undefined {
  const affinity = isRecord(spec.affinity) ? spec.affinity : undefined;
  const nodeAffinity = affinity !== undefined && isRecord(affinity.nodeAffinity) ? affinity.nodeAffinity : undefined;
  const required =
    nodeAffinity !== undefined && isRecord(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution)
      ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
      : undefined;
  return required === undefined ? undefined : arrayOrEmpty(required.nodeSelectorTerms);
}

/** The taints of a node. */
export function taintsOf(node: KubeObject): Taint[] {
  const spec = isRecord(node.spec) ? node.spec : {};
  return arrayOrEmpty(spec.taints).flatMap((t) =>
    isRecord(t) && typeof t.key === 'string' && typeof t.effect === 'string'
      ? [{ key: t.key, effect: t.effect, ...(typeof t.value === 'string' ? { value: t.value } : {}) }]
      : [],
  );
}

/** True when the scheduler could place a pod with this spec onto the node. */
export function canScheduleOnto(spec: PodSpec, node: KubeObject): boolean {
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') return spec.nodeName === node.metadata.name;
  const labels = stringMap(node.metadata.labels);
  for (const [key, value] of Object.entries(stringMap(spec.nodeSelector))) if (labels[key] !== value) return false;
  const terms = requiredTerms(spec);
  if (terms !== undefined && !terms.some((term) => matchesTerm(term, node))) return false;
  const tolerations = arrayOrEmpty(spec.tolerations);
  for (const taint of taintsOf(node)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerationMatches(t, taint))) return false;
  }
  return true;
}

/**
 * True when the pod's own constraints guarantee that every node it lands on has `key=value`,
 * whatever nodes exist: a nodeSelector entry, or a required term in every ORed term that admits only
 * that value.
 */
export function requiresNodeLabel(spec: PodSpec, key: string, value: string): boolean {
  if (stringMap(spec.nodeSelector)[key] === value) return true;
  const terms = requiredTerms(spec);
  if (terms === undefined || terms.length === 0) return false;
  return terms.every(
    (term) =>
      isRecord(term) &&
      arrayOrEmpty(term.matchExpressions).some((e) => {
        if (!isRecord(e) || e.key !== key || e.operator !== 'In') return false;
        const values = arrayOrEmpty(e.values);
        return values.length > 0 && values.every((v) => v === value);
      }),
  );
}
