import { apiGroupOf, formatResourceRef } from '../../core/resource-ref.js';
import type { Inventory, InventoryObject } from '../../inventory/inventory.js';
import { arrayOrEmpty, isRecord, stringMap } from '../../k8s/guards.js';
import { podTemplateOf } from '../../k8s/pod-templates.js';
import type { Labels, PodSpec } from '../../k8s/types.js';
import { isProtocol, MAX_PORT, MIN_PORT, type Protocol } from './connection-set.js';
import { formatIp, parseIp, type IpAddress } from './ip.js';
import { compilePolicy, type CompiledPolicy, type NetpolProblem } from './policy.js';

/**
 * The network as NetworkPolicy sees it: namespaces with labels, pods with labels, container ports and
 * IPs, and the policies. Built from an Inventory; pure and immutable once built.
 */

/** The label the API server sets on every namespace (immutable since Kubernetes 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface ModelNamespace {
  readonly name: string;
  readonly labels: Labels;
  /** True when no Namespace object was given, only objects that live in it. */
  readonly implied: boolean;
  readonly entry?: InventoryObject;
}

/** A container port, as named ports are resolved against it. */
export interface ModelPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** A pod: a Pod object, or one representative of a workload's pods (named after the workload). */
export interface ModelPod {
  /** Position in `NetworkModel.pods`. */
  readonly index: number;
  /** `namespace/name`; `namespace/name[Kind]` for a workload whose name a Pod already has. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** `Pod`, or the workload kind this representative stands for. */
  readonly kind: string;
  readonly representative: boolean;
  readonly labels: Labels;
  readonly ports: readonly ModelPort[];
  /** From `status.podIP` / `status.podIPs`; empty when unknown. An ipBlock matches a pod by these. */
  readonly ips: readonly IpAddress[];
  /** The Pod or workload object. */
  readonly entry: InventoryObject;
  /** What findings are reported on: the top controller present in the input, or the object itself. */
  readonly owner: InventoryObject;
  readonly metadataPointer: string;
  readonly specPointer: string;
  /** Why NetworkPolicy does not apply to this pod (hostNetwork, finished); absent when it does. */
  readonly outOfScope?: string;
}

export interface NetworkModel {
  readonly namespaces: ReadonlyMap<string, ModelNamespace>;
  /** Every pod, in scope or not, in a stable order (namespace, then input order). */
  readonly pods: readonly ModelPod[];
  /** Valid policies, the ones that are evaluated. */
  readonly policies: readonly CompiledPolicy[];
  /** Policies the API server would reject (not evaluated; see `problems`). */
  readonly rejectedPolicies: readonly CompiledPolicy[];
  readonly policiesByNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  readonly problems: readonly NetpolProblem[];
  podById(id: string): ModelPod | undefined;
  /** Pods that have this address (several when the input holds duplicates). */
  podsByIp(address: IpAddress): readonly ModelPod[];
  namespaceLabels(namespace: string): Labels;
}

export interface ModelOptions {
  /**
   * Add `kubernetes.io/metadata.name` to every namespace, as the API server does (default true).
   * Conformance data from tools that do not add it turns this off.
   */
  readonly namespaceNameLabel?: boolean;
  /**
   * `out-of-scope` (default): hostNetwork pods get no answers, as Kubernetes leaves their behaviour
   * undefined. `ordinary`: treat them like other pods, as netpol-analyzer does (one of the two
   * behaviours the concept page allows for plugins).
   */
  readonly hostNetwork?: 'out-of-scope' | 'ordinary';
  /**
   * Only the pods and policies of these namespaces (every namespace is still listed, with its labels):
   * a partial model, exactly the full model's pods and policies of those namespaces, for questions
   * that stay inside them (which pods a namespace's policies isolate), not for reachability from
   * elsewhere. The monitor re-evaluates one namespace this way.
   */
  readonly namespaces?: ReadonlySet<string>;
}

const HOST_NETWORK_REASON =
  'it uses the host network (spec.hostNetwork: true); Kubernetes leaves NetworkPolicy behaviour for such pods undefined, so Vigil does not answer for them';

function portsOf(spec: PodSpec): ModelPort[] {
  const out: ModelPort[] = [];
  // Only regular containers and restartable init containers (native sidecars) keep serving ports.
  const containers = [
    ...arrayOrEmpty(spec.containers),
    ...arrayOrEmpty(spec.initContainers).filter((c) => isRecord(c) && c.restartPolicy === 'Always'),
  ];
  for (const container of containers) {
    if (!isRecord(container)) continue;
    for (const raw of arrayOrEmpty(container.ports)) {
      if (!isRecord(raw)) continue;
      const port = raw.containerPort;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) continue;
      const protocol = raw.protocol ?? 'TCP';
      if (!isProtocol(protocol)) continue;
      out.push(typeof raw.name === 'string' && raw.name !== '' ? { name: raw.name, port, protocol } : { port, protocol });
    }
  }
  return out;
}

function ipsOf(status: unknown, entry: InventoryObject, problems: NetpolProblem[]): IpAddress[] {
  if (!isRecord(status)) return [];
  const texts: { text: string; pointer: string }[] = [];
  if (typeof status.podIP === 'string' && status.podIP !== '') texts.push({ text: status.podIP, pointer: '/status/podIP' });
  for (const [i, item] of arrayOrEmpty(status.podIPs).entries()) {
    if (isRecord(item) && typeof item.ip === 'string') texts.push({ text: item.ip, pointer: `/status/podIPs/${i}/ip` });
  }
  const out: IpAddress[] = [];
  for (const { text, pointer } of texts) {
    const ip = parseIp(text);
    if (ip === undefined) {
      problems.push({ level: 'warning', resource: entry.ref, entry, pointer, message: `"${text}" is not an IP address; it is ignored` });
    } else if (!out.some((o) => o.family === ip.family && o.value === ip.value)) {
      out.push(ip);
    }
  }
  return out;
}

/** The controlling owner reference of an object, if any (the sole reference counts when none is marked). */
function controllerOf(entry: InventoryObject): { apiVersion: string; kind: string; name: string } | undefined {
  const refs = arrayOrEmpty(entry.object.metadata.ownerReferences).filter(isRecord);
  const controller =
    refs.find((r) => r.controller === true) ?? (refs.length === 1 && refs[0]?.controller === undefined ? refs[0] : undefined);
  if (controller === undefined) return undefined;
  const { apiVersion, kind, name } = controller;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') return undefined;
  return { apiVersion, kind, name };
}

/** The chain of controllers present in the Inventory above an object, nearest first. */
function controllersAbove(inventory: Inventory, entry: InventoryObject): InventoryObject[] {
  const chain: InventoryObject[] = [];
  let current = entry;
  for (let depth = 0; depth < 8; depth++) {
    const ref = controllerOf(current);
    if (ref === undefined) break;
    const owner = inventory.get(apiGroupOf(ref.apiVersion), ref.kind, entry.ref.namespace, ref.name);
    if (owner === undefined || chain.includes(owner)) break;
    chain.push(owner);
    current = owner;
  }
  return chain;
}

function finishedReason(status: unknown): string | undefined {
  if (!isRecord(status)) return undefined;
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    return `it has finished (status.phase: ${status.phase}) and no longer has a network endpoint`;
  }
  return undefined;
}

/** Build the network model of an Inventory. */
export function buildNetworkModel(inventory: Inventory, options: ModelOptions = {}): NetworkModel {
  const addNameLabel = options.namespaceNameLabel ?? true;
  const hostNetworkOutOfScope = (options.hostNetwork ?? 'out-of-scope') === 'out-of-scope';
  const problems: NetpolProblem[] = [];

  const namespaces = new Map<string, ModelNamespace>();
  for (const ns of inventory.namespaces()) {
    const labels = addNameLabel ? { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name } : ns.labels;
    namespaces.set(ns.name, { name: ns.name, labels, implied: ns.implied, ...(ns.object === undefined ? {} : { entry: ns.object }) });
  }

  const only = options.namespaces;
  const ofKind = (kind: string, group: string): InventoryObject[] =>
    only === undefined
      ? inventory.ofKind(kind, { group })
      : [...only]
          .flatMap((ns) => inventory.inNamespace(ns).filter((e) => e.ref.kind === kind && apiGroupOf(e.ref.apiVersion) === group))
          .sort((a, b) => a.id - b.id);
  const templates =
    only === undefined
      ? inventory.podTemplates()
      : [...only].flatMap((ns) => inventory.podTemplatesIn(ns)).sort((a, b) => a.owner.id - b.owner.id);

  const policies: CompiledPolicy[] = [];
  const rejectedPolicies: CompiledPolicy[] = [];
  const seenPolicies = new Map<string, InventoryObject>();
  for (const entry of ofKind('NetworkPolicy', 'networking.k8s.io')) {
    const namespace = entry.ref.namespace ?? inventory.defaultNamespace;
    const first = seenPolicies.get(entry.key);
    if (first !== undefined) {
      problems.push({
        level: 'warning',
        resource: entry.ref,
        entry,
        pointer: '/metadata/name',
        message: `${formatResourceRef(entry.ref)} is defined more than once; only the first copy${first.source === undefined ? '' : ` (${first.source.file})`} is used for reachability`,
        hint: 'A cluster holds one object per name; render one environment at a time.',
      });
      continue;
    }
    seenPolicies.set(entry.key, entry);
    const policy = compiledPolicyOf(entry, namespace);
    problems.push(...policy.problems);
    (policy.valid ? policies : rejectedPolicies).push(policy);
  }

  const pods: ModelPod[] = [];
  const ids = new Set<string>();
  const podAncestors = new Set<InventoryObject>();
  const idFor = (preferredId: string, fallbackId: string): string => {
    const id = ids.has(preferredId) ? fallbackId : preferredId;
    ids.add(id);
    return id;
  };

  for (const entry of ofKind('Pod', '')) {
    const template = podTemplateOf(entry.object);
    const namespace = entry.ref.namespace ?? inventory.defaultNamespace;
    const chain = controllersAbove(inventory, entry);
    for (const owner of chain) podAncestors.add(owner);
    const spec: PodSpec = template?.spec ?? {};
    const status = entry.object.status;
    const outOfScope = spec.hostNetwork === true && hostNetworkOutOfScope ? HOST_NETWORK_REASON : finishedReason(status);
    const pod: ModelPod = {
      index: pods.length,
      id: idFor(`${namespace}/${entry.ref.name}`, `${namespace}/${entry.ref.name}[Pod]`),
      namespace,
      name: entry.ref.name,
      kind: 'Pod',
      representative: false,
      labels: stringMap(entry.object.metadata.labels),
      ports: portsOf(spec),
      ips: ipsOf(status, entry, problems),
      entry,
      owner: chain.at(-1) ?? entry,
      metadataPointer: '/metadata',
      specPointer: '/spec',
    };
    pods.push(outOfScope === undefined ? pod : { ...pod, outOfScope });
  }

  for (const { owner, template } of templates) {
    const kind = owner.ref.kind;
    if (kind === 'Pod' || kind === 'PodTemplate') continue;
    // Workloads whose pods are in the input are represented by those pods (they carry IPs and real labels).
    if (podAncestors.has(owner)) continue;
    const namespace = owner.ref.namespace ?? inventory.defaultNamespace;
    const pod: ModelPod = {
      index: pods.length,
      id: idFor(`${namespace}/${owner.ref.name}`, `${namespace}/${owner.ref.name}[${kind}]`),
      namespace,
      name: owner.ref.name,
      kind,
      representative: true,
      labels: stringMap(template.metadata.labels),
      ports: portsOf(template.spec),
      ips: [],
      entry: owner,
      owner,
      metadataPointer: template.metadataPointer,
      specPointer: template.specPointer,
    };
    pods.push(template.spec.hostNetwork === true && hostNetworkOutOfScope ? { ...pod, outOfScope: HOST_NETWORK_REASON } : pod);
  }

  const byId = new Map(pods.map((p) => [p.id, p]));
  const byIp = new Map<string, ModelPod[]>();
  for (const pod of pods) {
    for (const ip of pod.ips) {
      const key = `${ip.family}:${ip.value}`;
      const list = byIp.get(key);
      if (list === undefined) byIp.set(key, [pod]);
      else list.push(pod);
    }
  }
  for (const [, list] of byIp) {
    if (list.length > 1) {
      const first = list[0] as ModelPod;
      problems.push({
        level: 'warning',
        resource: first.entry.ref,
        entry: first.entry,
        pointer: '/status/podIP',
        message: `${list.length} pods share the address ${formatIp(first.ips[0] as IpAddress)}: ${list.map((p) => p.id).join(', ')}; a query by that address takes the first`,
      });
    }
  }
  const policiesByNamespace = new Map<string, CompiledPolicy[]>();
  for (const policy of policies) {
    const list = policiesByNamespace.get(policy.namespace);
    if (list === undefined) policiesByNamespace.set(policy.namespace, [policy]);
    else list.push(policy);
  }
  const emptyLabels: Labels = {};
  return {
    namespaces,
    pods,
    policies,
    rejectedPolicies,
    policiesByNamespace,
    problems,
    podById: (id) => byId.get(id),
    podsByIp: (address) => byIp.get(`${address.family}:${address.value}`) ?? [],
    namespaceLabels: (namespace) =>
      namespaces.get(namespace)?.labels ?? (addNameLabel ? { [NAMESPACE_NAME_LABEL]: namespace } : emptyLabels),
  };
}

// Inventory entries are immutable (a change replaces the entry), so a policy is compiled once.
const compiled = new WeakMap<InventoryObject, CompiledPolicy>();

function compiledPolicyOf(entry: InventoryObject, namespace: string): CompiledPolicy {
  let policy = compiled.get(entry);
  if (policy?.namespace !== namespace) {
    policy = compilePolicy(entry.object, namespace, entry);
    compiled.set(entry, policy);
  }
  return policy;
}

const cache = new WeakMap<Inventory, { version: number; models: Map<string, NetworkModel> }>();

/**
 * The network model of an Inventory with default options, built once per Inventory version (checks
 * share it); with `namespaces`, the partial model of those namespaces (see `ModelOptions.namespaces`).
 */
export function networkModelOf(inventory: Inventory, namespaces?: ReadonlySet<string>): NetworkModel {
  let cached = cache.get(inventory);
  if (cached?.version !== inventory.version) {
    cached = { version: inventory.version, models: new Map() };
    cache.set(inventory, cached);
  }
  const key = namespaces === undefined ? '' : `\u0000${[...namespaces].sort().join('\u0000')}`;
  let model = cached.models.get(key);
  if (model === undefined) {
    model = buildNetworkModel(inventory, namespaces === undefined ? {} : { namespaces });
    cached.models.set(key, model);
  }
  return model;
}
