import { pointerOf } from '../../core/json-pointer.js';
import type { ResourceRef } from '../../core/resource-ref.js';
import { arrayOrEmpty, isRecord } from '../../k8s/guards.js';
import { compileLabelSelector, type CompiledSelector } from '../../k8s/label-selector.js';
import type { KubeObject } from '../../k8s/types.js';
import type { InventoryObject } from '../../inventory/inventory.js';
import { ConnectionSet, isProtocol, MAX_PORT, MIN_PORT, type Protocol } from './connection-set.js';
import { parseCidr, rangeWithin, type Cidr } from './ip.js';
import { selectorSyntaxProblem } from './label-syntax.js';

/**
 * NetworkPolicy (networking.k8s.io/v1) compiled for evaluation, with the API server's validation
 * applied. Semantics follow the API reference (NetworkPolicySpec, NetworkPolicyPeer,
 * NetworkPolicyPort) and the concept page "Network Policies"; ../shared/conformance/network-policy
 * SEMANTICS.md numbers the rules (R1–R10) cited below.
 */

/** Something wrong with a policy: `error` means the API server would reject it (it is left out). */
export interface NetpolProblem {
  readonly level: 'error' | 'warning';
  /** The object at fault. */
  readonly resource: ResourceRef;
  readonly entry?: InventoryObject;
  /** Field inside the object. */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
}

/** A compiled label selector with the canonical text used to recognise equal selectors. */
export interface Selector {
  readonly compiled: CompiledSelector;
  /** True when it matches every object (`{}`). */
  readonly matchesAll: boolean;
  readonly key: string;
  /** The selector as written, for explanations and indexing. */
  readonly raw: unknown;
}

/** A peer given by selectors (R7): podSelector and/or namespaceSelector. */
export interface SelectorPeer {
  readonly kind: 'selectors';
  readonly pointer: string;
  /** Absent: every pod of the matched namespaces. */
  readonly podSelector?: Selector;
  /** Absent: only the policy's own namespace. */
  readonly namespaceSelector?: Selector;
  /** The policy's namespace (where a podSelector-only peer looks). */
  readonly policyNamespace: string;
  /** Equal peers (in meaning) have equal keys, across policies. */
  readonly key: string;
}

/** A peer given by an IP block (R8). */
export interface IpBlockPeer {
  readonly kind: 'ipBlock';
  readonly pointer: string;
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
  readonly key: string;
}

export type Peer = SelectorPeer | IpBlockPeer;

/** One entry of a rule's `ports` (R9). */
export type PortEntry =
  | { readonly kind: 'any'; readonly protocol: Protocol; readonly pointer: string }
  | { readonly kind: 'range'; readonly protocol: Protocol; readonly lo: number; readonly hi: number; readonly pointer: string }
  | { readonly kind: 'named'; readonly protocol: Protocol; readonly name: string; readonly pointer: string };

export type Direction = 'ingress' | 'egress';

/** One ingress or egress rule (R6). */
export interface Rule {
  readonly direction: Direction;
  /** Index in `spec.ingress` / `spec.egress` (0-based). */
  readonly index: number;
  readonly pointer: string;
  /** Undefined when `from`/`to` is missing or empty: every endpoint, in the cluster or not. */
  readonly peers: readonly Peer[] | undefined;
  /** Undefined when `ports` is missing or empty: every protocol and port. */
  readonly ports: readonly PortEntry[] | undefined;
  /** What the numeric and protocol-only entries allow, whatever the destination. */
  readonly staticPorts: ConnectionSet;
  /** Named entries, resolved against each destination pod. */
  readonly namedPorts: readonly { readonly name: string; readonly protocol: Protocol }[];
}

/** A NetworkPolicy ready for evaluation. */
export interface CompiledPolicy {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`. */
  readonly id: string;
  readonly resource: ResourceRef;
  readonly entry?: InventoryObject;
  readonly podSelector: Selector;
  /** Effective policyTypes (R2). */
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  /** Whether `spec.policyTypes` was written (false: defaulted). */
  readonly policyTypesWritten: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  /** False when the API server would reject the object; such a policy is not evaluated. */
  readonly valid: boolean;
  readonly problems: readonly NetpolProblem[];
}

function canonicalSelectorKey(raw: unknown): string {
  if (!isRecord(raw)) return '{}';
  const labels = isRecord(raw.matchLabels)
    ? Object.entries(raw.matchLabels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .sort()
    : [];
  const exprs = arrayOrEmpty(raw.matchExpressions)
    .filter(isRecord)
    .map((e) => {
      const values = arrayOrEmpty(e.values).map(String).sort();
      return `${String(e.key)} ${String(e.operator)} (${values.join(',')})`;
    })
    .sort();
  return `{${[...labels, ...exprs].join(';')}}`;
}

/** Compile a label selector (absent or null counts as `{}`). */
export function selectorOf(raw: unknown): Selector {
  const compiled = compileLabelSelector(raw);
  return { compiled, matchesAll: compiled.valid && compiled.matchesEverything, key: canonicalSelectorKey(raw), raw };
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why a named port is not an IANA service name (what the API requires), or undefined. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `port name "${name}" is longer than 15 characters`;
  if (!IANA_SVC_NAME.test(name) || name.includes('--')) return `port name "${name}" may hold only lowercase letters, digits and single "-"`;
  if (!/[a-z]/.test(name))
    return /^\d+$/.test(name)
      ? `port "${name}" is a quoted number, which the API reads as a port name; write it without quotes`
      : `port name "${name}" must contain a letter`;
  return undefined;
}

interface Context {
  readonly resource: ResourceRef;
  readonly entry: InventoryObject | undefined;
  readonly problems: NetpolProblem[];
}

function problem(ctx: Context, level: NetpolProblem['level'], pointer: string, message: string, hint?: string): void {
  ctx.problems.push({
    level,
    resource: ctx.resource,
    ...(ctx.entry === undefined ? {} : { entry: ctx.entry }),
    pointer,
    message,
    ...(hint === undefined ? {} : { hint }),
  });
}

function compileSelectorField(ctx: Context, raw: unknown, pointer: string): Selector | undefined {
  const selector = selectorOf(raw);
  if (!selector.compiled.valid) {
    problem(ctx, 'error', pointer, `invalid label selector: ${selector.compiled.reason}`);
    return undefined;
  }
  const syntax = selectorSyntaxProblem(raw);
  if (syntax !== undefined) {
    problem(ctx, 'error', pointer, syntax);
    return undefined;
  }
  return selector;
}

function compileCidr(ctx: Context, raw: unknown, pointer: string): Cidr | undefined {
  if (typeof raw !== 'string') {
    problem(ctx, 'error', pointer, 'a CIDR must be a string such as "10.0.0.0/8"');
    return undefined;
  }
  const cidr = parseCidr(raw);
  if (cidr === undefined) {
    problem(ctx, 'error', pointer, `"${raw}" is not a valid CIDR`, 'Write an address and a prefix length, such as 10.0.0.0/8 or fd00::/8.');
    return undefined;
  }
  if (!cidr.canonical) {
    // Both reference analyzers read it as its network, like Go's net.ParseCIDR; recent API servers refuse it on create.
    problem(
      ctx,
      'warning',
      pointer,
      `"${raw}" has host bits set; it is read as ${cidr.text}`,
      `Write ${cidr.text}; API servers with strict CIDR validation refuse the other form.`,
    );
  }
  return cidr;
}

function compilePeer(ctx: Context, raw: unknown, pointer: string, policyNamespace: string): Peer | undefined {
  if (!isRecord(raw)) {
    problem(ctx, 'error', pointer, 'a peer must be an object');
    return undefined;
  }
  const hasPod = raw.podSelector !== undefined && raw.podSelector !== null;
  const hasNs = raw.namespaceSelector !== undefined && raw.namespaceSelector !== null;
  const hasIp = raw.ipBlock !== undefined && raw.ipBlock !== null;
  if (!hasPod && !hasNs && !hasIp) {
    // `from: [{}]` is "must specify a peer" to the API server, not allow-all (SEMANTICS §4).
    problem(
      ctx,
      'error',
      pointer,
      'a peer must set podSelector, namespaceSelector or ipBlock; an empty peer `{}` is rejected by the API server',
      'To allow every source or destination, leave `from`/`to` out of the rule instead.',
    );
    return undefined;
  }
  if (hasIp && (hasPod || hasNs)) {
    problem(
      ctx,
      'error',
      pointer,
      'ipBlock cannot be combined with podSelector or namespaceSelector in one peer',
      'Write them as two peers.',
    );
    return undefined;
  }
  if (hasIp) {
    const block = raw.ipBlock;
    if (!isRecord(block)) {
      problem(ctx, 'error', `${pointer}/ipBlock`, 'ipBlock must be an object with a cidr');
      return undefined;
    }
    const cidr = compileCidr(ctx, block.cidr, `${pointer}/ipBlock/cidr`);
    if (cidr === undefined) return undefined;
    const except: Cidr[] = [];
    for (const [i, rawExcept] of arrayOrEmpty(block.except).entries()) {
      const p = `${pointer}/ipBlock/except/${i}`;
      const e = compileCidr(ctx, rawExcept, p);
      if (e === undefined) return undefined;
      if (!rangeWithin(e, cidr) || (e.start === cidr.start && e.end === cidr.end)) {
        problem(ctx, 'error', p, `except ${e.text} must lie strictly inside ${cidr.text}`);
        return undefined;
      }
      except.push(e);
    }
    const exceptKey = except
      .map((e) => e.text)
      .sort()
      .join(',');
    return { kind: 'ipBlock', pointer, cidr, except, key: `ip:${cidr.text}:${exceptKey}` };
  }
  const podSelector = hasPod ? compileSelectorField(ctx, raw.podSelector, `${pointer}/podSelector`) : undefined;
  const namespaceSelector = hasNs ? compileSelectorField(ctx, raw.namespaceSelector, `${pointer}/namespaceSelector`) : undefined;
  if ((hasPod && podSelector === undefined) || (hasNs && namespaceSelector === undefined)) return undefined;
  const key =
    namespaceSelector === undefined
      ? `pod:${policyNamespace}:${podSelector?.key ?? '{}'}`
      : `ns:${namespaceSelector.key}:${podSelector?.key ?? '{}'}`;
  return {
    kind: 'selectors',
    pointer,
    ...(podSelector === undefined ? {} : { podSelector }),
    ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
    policyNamespace,
    key,
  };
}

function compilePortEntry(ctx: Context, raw: unknown, pointer: string): PortEntry | undefined {
  if (!isRecord(raw)) {
    problem(ctx, 'error', pointer, 'a port entry must be an object');
    return undefined;
  }
  const protocolRaw = raw.protocol ?? 'TCP'; // R9: the default protocol is TCP.
  if (!isProtocol(protocolRaw)) {
    problem(
      ctx,
      'error',
      `${pointer}/protocol`,
      `protocol ${JSON.stringify(protocolRaw)} is not TCP, UDP or SCTP (they are case-sensitive)`,
    );
    return undefined;
  }
  const protocol = protocolRaw;
  const { port, endPort } = raw;
  if (port === undefined || port === null) {
    if (endPort !== undefined && endPort !== null) {
      problem(ctx, 'error', `${pointer}/endPort`, 'endPort needs a numeric port');
      return undefined;
    }
    return { kind: 'any', protocol, pointer };
  }
  if (typeof port === 'string') {
    const nameProblem = portNameProblem(port);
    if (nameProblem !== undefined) {
      problem(ctx, 'error', `${pointer}/port`, nameProblem);
      return undefined;
    }
    if (endPort !== undefined && endPort !== null) {
      problem(ctx, 'error', `${pointer}/endPort`, 'endPort cannot be used with a named port');
      return undefined;
    }
    return { kind: 'named', protocol, name: port, pointer };
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) {
    problem(ctx, 'error', `${pointer}/port`, `port ${JSON.stringify(port)} must be a number from 1 to 65535 or a port name`);
    return undefined;
  }
  if (endPort === undefined || endPort === null) return { kind: 'range', protocol, lo: port, hi: port, pointer };
  if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort > MAX_PORT || endPort < port) {
    problem(ctx, 'error', `${pointer}/endPort`, `endPort ${JSON.stringify(endPort)} must be a number from port (${port}) to 65535`);
    return undefined;
  }
  return { kind: 'range', protocol, lo: port, hi: endPort, pointer };
}

function compileRule(ctx: Context, raw: unknown, direction: Direction, index: number, policyNamespace: string): Rule | undefined {
  const pointer = pointerOf('spec', direction, index);
  if (!isRecord(raw)) {
    // `- ` with nothing after it is null in YAML, which the API reads as the empty rule `{}`.
    if (raw !== null) {
      problem(ctx, 'error', pointer, `${direction} rule ${index} must be an object`);
      return undefined;
    }
  }
  const rule = isRecord(raw) ? raw : {};
  const peerField = direction === 'ingress' ? 'from' : 'to';
  let ok = true;
  let peers: Peer[] | undefined;
  const rawPeers = rule[peerField];
  if (rawPeers !== undefined && rawPeers !== null && !Array.isArray(rawPeers)) {
    problem(ctx, 'error', `${pointer}/${peerField}`, `${peerField} must be a list of peers`);
    ok = false;
  } else if (Array.isArray(rawPeers) && rawPeers.length > 0) {
    peers = [];
    for (const [i, rawPeer] of rawPeers.entries()) {
      const peer = compilePeer(ctx, rawPeer, `${pointer}/${peerField}/${i}`, policyNamespace);
      if (peer === undefined) ok = false;
      else peers.push(peer);
    }
  }
  let ports: PortEntry[] | undefined;
  const rawPorts = rule.ports;
  if (rawPorts !== undefined && rawPorts !== null && !Array.isArray(rawPorts)) {
    problem(ctx, 'error', `${pointer}/ports`, 'ports must be a list');
    ok = false;
  } else if (Array.isArray(rawPorts) && rawPorts.length > 0) {
    ports = [];
    for (const [i, rawPort] of rawPorts.entries()) {
      const entry = compilePortEntry(ctx, rawPort, `${pointer}/ports/${i}`);
      if (entry === undefined) ok = false;
      else ports.push(entry);
    }
  }
  if (!ok) return undefined;
  let staticPorts = ports === undefined ? ConnectionSet.ALL : ConnectionSet.NONE;
  const namedPorts: { name: string; protocol: Protocol }[] = [];
  for (const entry of ports ?? []) {
    if (entry.kind === 'any') staticPorts = staticPorts.union(ConnectionSet.ports(entry.protocol));
    else if (entry.kind === 'range') staticPorts = staticPorts.union(ConnectionSet.ports(entry.protocol, entry.lo, entry.hi));
    else namedPorts.push({ name: entry.name, protocol: entry.protocol });
  }
  return { direction, index, pointer, peers, ports, staticPorts, namedPorts };
}

function compileRules(ctx: Context, spec: Readonly<Record<string, unknown>>, direction: Direction, namespace: string): Rule[] | undefined {
  const raw = spec[direction];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem(ctx, 'error', pointerOf('spec', direction), `spec.${direction} must be a list of rules`);
    return undefined;
  }
  const rules: Rule[] = [];
  let ok = true;
  for (const [i, rawRule] of raw.entries()) {
    const rule = compileRule(ctx, rawRule, direction, i, namespace);
    if (rule === undefined) ok = false;
    else rules.push(rule);
  }
  return ok ? rules : undefined;
}

/**
 * Compile one NetworkPolicy. `namespace` is where the Inventory placed it (a manifest without one goes to
 * the default namespace). Never throws: problems are returned, and a policy the API server would
 * reject comes back with `valid: false`.
 */
export function compilePolicy(object: KubeObject, namespace: string, entry?: InventoryObject): CompiledPolicy {
  const name = object.metadata.name;
  const resource: ResourceRef = { apiVersion: object.apiVersion, kind: object.kind, namespace, name };
  const ctx: Context = { resource, entry, problems: [] };
  const spec = isRecord(object.spec) ? object.spec : undefined;
  let valid = true;
  if (spec === undefined) {
    problem(ctx, 'error', '/spec', 'a NetworkPolicy needs a spec');
    valid = false;
  }
  const s = spec ?? {};
  if (spec !== undefined && (s.podSelector === undefined || s.podSelector === null)) {
    // The API's Go type has no pointer here: a missing podSelector decodes to `{}`, every pod of the namespace.
    problem(
      ctx,
      'warning',
      '/spec/podSelector',
      'spec.podSelector is missing; it is read as {} (every pod in the namespace)',
      'Write `podSelector: {}` to say so.',
    );
  }
  const podSelector = compileSelectorField(ctx, s.podSelector, '/spec/podSelector');
  if (podSelector === undefined) valid = false;
  const ingress = compileRules(ctx, s, 'ingress', namespace);
  const egress = compileRules(ctx, s, 'egress', namespace);
  if (ingress === undefined || egress === undefined) valid = false;

  // R2: written policyTypes are used as written; otherwise Ingress, plus Egress when there are egress rules.
  let affectsIngress = true;
  let affectsEgress = (egress?.length ?? 0) > 0;
  const rawTypes = s.policyTypes;
  const policyTypesWritten = Array.isArray(rawTypes) && rawTypes.length > 0;
  if (rawTypes !== undefined && rawTypes !== null && !Array.isArray(rawTypes)) {
    problem(ctx, 'error', '/spec/policyTypes', 'policyTypes must be a list of "Ingress" and/or "Egress"');
    valid = false;
  } else if (policyTypesWritten) {
    affectsIngress = false;
    affectsEgress = false;
    for (const [i, type] of (rawTypes as unknown[]).entries()) {
      if (type === 'Ingress') affectsIngress = true;
      else if (type === 'Egress') affectsEgress = true;
      else {
        problem(
          ctx,
          'error',
          pointerOf('spec', 'policyTypes', i),
          `policyTypes holds ${JSON.stringify(type)}; only "Ingress" and "Egress" are allowed`,
        );
        valid = false;
      }
    }
    if (!affectsIngress && (ingress?.length ?? 0) > 0) {
      problem(
        ctx,
        'warning',
        '/spec/ingress',
        'ingress rules are ignored: policyTypes does not list Ingress',
        'Add Ingress to policyTypes, or remove the rules.',
      );
    }
    if (!affectsEgress && (egress?.length ?? 0) > 0) {
      problem(
        ctx,
        'warning',
        '/spec/egress',
        'egress rules are ignored: policyTypes does not list Egress',
        'Add Egress to policyTypes, or remove the rules.',
      );
    }
  }
  return {
    namespace,
    name,
    id: `${namespace}/${name}`,
    resource,
    ...(entry === undefined ? {} : { entry }),
    podSelector: podSelector ?? selectorOf({}),
    affectsIngress,
    affectsEgress,
    policyTypesWritten,
    ingress: affectsIngress ? (ingress ?? []) : [],
    egress: affectsEgress ? (egress ?? []) : [],
    valid,
    problems: ctx.problems,
  };
}
