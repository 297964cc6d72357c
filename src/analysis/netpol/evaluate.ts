import { ConnectionSet, type Protocol } from './connection-set.js';
import { formatIp, rangeContains, type IpAddress } from './ip.js';
import type { ModelPod, NetworkModel } from './model.js';
import type { CompiledPolicy, Direction, Peer, Rule } from './policy.js';

/**
 * Direct evaluation of one connection, with its explanation. Rules R1–R10 of
 * ../shared/conformance/network-policy/SEMANTICS.md (paraphrasing the API reference and the concept
 * page "Network Policies").
 */

/** One end of a connection: a pod, or an address outside the cluster. */
export type Endpoint = { readonly kind: 'pod'; readonly pod: ModelPod } | { readonly kind: 'external'; readonly address: IpAddress };

/** How one policy that selects the pod judged the connection (the names netpol-analyzer uses). */
export type PolicyVerdictKind =
  'allowed-by-rule' | 'selected-no-rules' | 'selected-peer-not-matched' | 'selected-ports-not-matched' | 'selected-named-port-unmatched';

export interface PolicyVerdict {
  /** `namespace/name`. */
  readonly policy: string;
  readonly verdict: PolicyVerdictKind;
  /**
   * The rule that allowed it, or whose peers matched but whose ports did not (0-based index into
   * spec.ingress / spec.egress).
   */
  readonly rule?: number;
  /** JSON pointer of that rule inside the policy. */
  readonly pointer?: string;
}

/** Why a direction allowed or denied. */
export type DirectionReason =
  /** No policy selects the pod for this direction. */
  | 'not-isolated'
  /** This end is outside the cluster; no policy applies to it. */
  | 'external'
  /** A pod may always reach itself. */
  | 'loopback'
  | 'allowed-by-rule'
  | 'no-rule-allows';

export interface DirectionAnswer {
  readonly allowed: boolean;
  /** True when at least one policy selects the pod for this direction. */
  readonly isolated: boolean;
  readonly reason: DirectionReason;
  /** Every policy selecting the pod for this direction, with its verdict, by policy id. */
  readonly policies: readonly PolicyVerdict[];
}

export interface ReachAnswer {
  /** null when the question is outside NetworkPolicy (see `outOfScope`). */
  readonly allowed: boolean | null;
  readonly outOfScope?: string;
  readonly loopback?: true;
  /** The source's side (its egress policies). */
  readonly egress?: DirectionAnswer;
  /** The destination's side (its ingress policies). */
  readonly ingress?: DirectionAnswer;
}

/** A short name for an endpoint: `ns/pod` or the address. */
export function endpointName(endpoint: Endpoint): string {
  return endpoint.kind === 'pod' ? endpoint.pod.id : formatIp(endpoint.address);
}

/** R1: the policy lives in the pod's namespace and its podSelector matches the pod. */
export function policySelectsPod(policy: CompiledPolicy, pod: ModelPod): boolean {
  return policy.namespace === pod.namespace && policy.podSelector.compiled.matches(pod.labels);
}

/** Policies that select the pod for a direction (R1, R2), in policy-id order. */
export function policiesSelecting(model: NetworkModel, pod: ModelPod, direction: Direction): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const policy of model.policiesByNamespace.get(pod.namespace) ?? []) {
    if ((direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress) && policySelectsPod(policy, pod)) out.push(policy);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** R7/R8: whether one peer matches an endpoint. */
export function peerMatches(model: NetworkModel, peer: Peer, endpoint: Endpoint): boolean {
  if (peer.kind === 'ipBlock') {
    // An ipBlock matches external addresses and pods by their known IPs; a pod without an IP never.
    const addresses = endpoint.kind === 'pod' ? endpoint.pod.ips : [endpoint.address];
    return addresses.some((a) => rangeContains(peer.cidr, a) && !peer.except.some((e) => rangeContains(e, a)));
  }
  if (endpoint.kind !== 'pod') return false; // Selectors never match addresses outside the cluster.
  const pod = endpoint.pod;
  if (peer.namespaceSelector === undefined) {
    if (pod.namespace !== peer.policyNamespace) return false;
  } else if (!peer.namespaceSelector.compiled.matches(model.namespaceLabels(pod.namespace))) {
    return false;
  }
  return peer.podSelector === undefined || peer.podSelector.compiled.matches(pod.labels);
}

/** R6: the rule's peer list matches the endpoint (a missing or empty list matches everything). */
export function rulePeerMatches(model: NetworkModel, rule: Rule, endpoint: Endpoint): boolean {
  return rule.peers === undefined || rule.peers.some((peer) => peerMatches(model, peer, endpoint));
}

/** R9: what a rule's ports allow towards this destination (named ports resolved on the destination pod). */
export function rulePortsFor(rule: Rule, destination: Endpoint): ConnectionSet {
  if (rule.namedPorts.length === 0 || destination.kind !== 'pod') return rule.staticPorts;
  let set = rule.staticPorts;
  for (const named of rule.namedPorts) {
    for (const port of destination.pod.ports) {
      if (port.name === named.name && port.protocol === named.protocol)
        set = set.union(ConnectionSet.ports(port.protocol, port.port, port.port));
    }
  }
  return set;
}

/** True when a named port of the rule resolves to nothing on the destination (absent, or only under another protocol). */
function hasUnresolvedNamedPort(rule: Rule, destination: Endpoint): boolean {
  return rule.namedPorts.some(
    (named) => destination.kind !== 'pod' || !destination.pod.ports.some((p) => p.name === named.name && p.protocol === named.protocol),
  );
}

function verdictOf(
  model: NetworkModel,
  policy: CompiledPolicy,
  rules: readonly Rule[],
  peer: Endpoint,
  destination: Endpoint,
  protocol: Protocol,
  port: number,
): PolicyVerdict {
  if (rules.length === 0) return { policy: policy.id, verdict: 'selected-no-rules' };
  // The first rule whose peers matched but whose ports did not: the one a reader should look at.
  let nearMiss: Rule | undefined;
  let namedUnresolved = false;
  for (const rule of rules) {
    if (!rulePeerMatches(model, rule, peer)) continue;
    if (rulePortsFor(rule, destination).has(protocol, port)) {
      return { policy: policy.id, verdict: 'allowed-by-rule', rule: rule.index, pointer: rule.pointer };
    }
    nearMiss ??= rule;
    if (hasUnresolvedNamedPort(rule, destination)) namedUnresolved = true;
  }
  if (nearMiss === undefined) return { policy: policy.id, verdict: 'selected-peer-not-matched' };
  return {
    policy: policy.id,
    verdict: namedUnresolved ? 'selected-named-port-unmatched' : 'selected-ports-not-matched',
    rule: nearMiss.index,
    pointer: nearMiss.pointer,
  };
}

/**
 * One direction of a connection: the policies of `subject` (the destination for ingress, the source
 * for egress) judge `peer` (the other end). R3, R4.
 */
export function explainDirection(
  model: NetworkModel,
  direction: Direction,
  subject: Endpoint,
  peer: Endpoint,
  protocol: Protocol,
  port: number,
): DirectionAnswer {
  if (subject.kind !== 'pod') return { allowed: true, isolated: false, reason: 'external', policies: [] };
  const destination = direction === 'ingress' ? subject : peer;
  const selecting = policiesSelecting(model, subject.pod, direction);
  if (selecting.length === 0) return { allowed: true, isolated: false, reason: 'not-isolated', policies: [] };
  const verdicts = selecting.map((policy) =>
    verdictOf(model, policy, direction === 'ingress' ? policy.ingress : policy.egress, peer, destination, protocol, port),
  );
  const allowed = verdicts.some((v) => v.verdict === 'allowed-by-rule');
  return { allowed, isolated: true, reason: allowed ? 'allowed-by-rule' : 'no-rule-allows', policies: verdicts };
}

/** Why an endpoint is outside what NetworkPolicy governs, if it is. */
export function outOfScopeReason(endpoint: Endpoint): string | undefined {
  return endpoint.kind === 'pod' && endpoint.pod.outOfScope !== undefined ? `${endpoint.pod.id}: ${endpoint.pod.outOfScope}` : undefined;
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.kind === 'pod' && b.kind === 'pod') return a.pod === b.pod;
  return false;
}

/**
 * Is a connection from `from` to `to` on protocol/port allowed? R5: the source's egress and the
 * destination's ingress must both allow it. Loopback is always allowed (a pod cannot block itself);
 * hostNetwork pods and address-to-address pairs are out of scope.
 */
export function reach(model: NetworkModel, from: Endpoint, to: Endpoint, protocol: Protocol, port: number): ReachAnswer {
  const outOfScope = outOfScopeReason(from) ?? outOfScopeReason(to);
  if (outOfScope !== undefined) return { allowed: null, outOfScope };
  if (from.kind === 'external' && to.kind === 'external') {
    return { allowed: null, outOfScope: 'neither end is a pod; NetworkPolicy only governs traffic to and from pods' };
  }
  if (sameEndpoint(from, to)) {
    const loop: DirectionAnswer = { allowed: true, isolated: false, reason: 'loopback', policies: [] };
    return { allowed: true, loopback: true, egress: loop, ingress: loop };
  }
  const egress = explainDirection(model, 'egress', from, to, protocol, port);
  const ingress = explainDirection(model, 'ingress', to, from, protocol, port);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}

/** Everything one direction allows from `peer`: the union of the matching rules' ports (R4). */
export function directionConnections(model: NetworkModel, direction: Direction, subject: Endpoint, peer: Endpoint): ConnectionSet {
  if (subject.kind !== 'pod') return ConnectionSet.ALL;
  const destination = direction === 'ingress' ? subject : peer;
  const selecting = policiesSelecting(model, subject.pod, direction);
  if (selecting.length === 0) return ConnectionSet.ALL;
  let set = ConnectionSet.NONE;
  for (const policy of selecting) {
    for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
      if (rulePeerMatches(model, rule, peer)) set = set.union(rulePortsFor(rule, destination));
    }
  }
  return set;
}

/**
 * Every connection allowed from `from` to `to` (both directions applied). Undefined for pairs
 * outside NetworkPolicy (hostNetwork pods, two addresses); loopback allows everything.
 */
export function allowedConnections(model: NetworkModel, from: Endpoint, to: Endpoint): ConnectionSet | undefined {
  if (outOfScopeReason(from) !== undefined || outOfScopeReason(to) !== undefined) return undefined;
  if (from.kind === 'external' && to.kind === 'external') return undefined;
  if (sameEndpoint(from, to)) return ConnectionSet.ALL;
  return directionConnections(model, 'egress', from, to).intersect(directionConnections(model, 'ingress', to, from));
}
