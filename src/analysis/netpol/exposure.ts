import type { ConnectionSet } from './connection-set.js';
import { policiesSelecting, rulePeerMatches, rulePortsFor, type Endpoint } from './evaluate.js';
import type { IpRange } from './ip.js';
import type { ReachabilityMatrix } from './matrix.js';
import type { ModelPod, NetworkModel } from './model.js';
import type { Direction } from './policy.js';

/** A rule that contributes to a connection, and what it contributes. */
export interface RuleMatch {
  /** `namespace/name` of the policy. */
  readonly policy: string;
  readonly rule: number;
  readonly pointer: string;
  readonly direction: Direction;
  readonly connections: ConnectionSet;
}

/** One side of a connection: open (no policy selects the pod), or the rules that allow. */
export interface SideExplanation {
  readonly isolated: boolean;
  readonly rules: readonly RuleMatch[];
}

export type ExposureSource =
  { readonly kind: 'pod'; readonly pod: ModelPod } | { readonly kind: 'external'; readonly ranges: readonly IpRange[] };

/** Something that can reach the target, on which connections, thanks to which rules. */
export interface ExposureEntry {
  readonly source: ExposureSource;
  readonly connections: ConnectionSet;
  /** The target's side. */
  readonly ingress: SideExplanation;
  /** The source's side (never isolated for addresses outside the cluster). */
  readonly egress: SideExplanation;
}

export interface Exposure {
  readonly target: ModelPod;
  /** Policies selecting the target for ingress. */
  readonly ingressPolicies: readonly string[];
  /** Everything that can reach the target: pods first (by id), then address ranges. */
  readonly entries: readonly ExposureEntry[];
  /** In-scope pods other than the target that cannot reach it at all. */
  readonly unreachablePods: number;
}

/** The rules of `subject`'s policies (for one direction) that allow something between it and `peer`. */
function side(model: NetworkModel, direction: Direction, subject: Endpoint, peer: Endpoint): SideExplanation {
  if (subject.kind !== 'pod') return { isolated: false, rules: [] };
  const destination = direction === 'ingress' ? subject : peer;
  const selecting = policiesSelecting(model, subject.pod, direction);
  const rules: RuleMatch[] = [];
  for (const policy of selecting) {
    for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
      if (!rulePeerMatches(model, rule, peer)) continue;
      const connections = rulePortsFor(rule, destination);
      if (!connections.isEmpty) rules.push({ policy: policy.id, rule: rule.index, pointer: rule.pointer, direction, connections });
    }
  }
  return { isolated: selecting.length > 0, rules };
}

/**
 * Everything that can reach `target`: each in-scope pod and each class of outside addresses with a
 * non-empty set of allowed connections, and the rules on both sides that allow them.
 */
export function exposureOf(model: NetworkModel, matrix: ReachabilityMatrix, target: ModelPod): Exposure {
  const to: Endpoint = { kind: 'pod', pod: target };
  const entries: ExposureEntry[] = [];
  let unreachablePods = 0;
  const pods = [...matrix.pods].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const pod of pods) {
    if (pod === target) continue;
    const connections = matrix.podConnections(pod, target);
    if (connections === undefined || connections.isEmpty) {
      unreachablePods++;
      continue;
    }
    const from: Endpoint = { kind: 'pod', pod };
    entries.push({
      source: { kind: 'pod', pod },
      connections,
      ingress: side(model, 'ingress', to, from),
      egress: side(model, 'egress', from, to),
    });
  }
  const targetClass = matrix.classOf(target);
  for (const external of matrix.externalClasses()) {
    const connections = matrix.sets.get(matrix.cell(external.id, targetClass));
    const first = external.ranges[0];
    if (connections.isEmpty || first === undefined) continue;
    const from: Endpoint = { kind: 'external', address: { family: first.family, value: first.start } };
    entries.push({
      source: { kind: 'external', ranges: external.ranges },
      connections,
      ingress: side(model, 'ingress', to, from),
      egress: { isolated: false, rules: [] },
    });
  }
  return {
    target,
    ingressPolicies: policiesSelecting(model, target, 'ingress').map((p) => p.id),
    entries,
    unreachablePods,
  };
}
