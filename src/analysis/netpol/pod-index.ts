import { arrayOrEmpty, isRecord } from '../../k8s/guards.js';
import type { IpRange } from './ip.js';
import type { ModelPod, NetworkModel } from './model.js';
import type { Peer, Selector } from './policy.js';

/**
 * Indexes over the in-scope pods of a model, so that finding the pods a selector or ipBlock matches
 * does not mean testing every pod: an inverted label index narrows a selector to the pods carrying
 * one of its required labels, and pods sorted by address answer an ipBlock with a binary search.
 */
export class PodIndex {
  /** In-scope pods. */
  readonly pods: readonly ModelPod[];
  private readonly byNamespace = new Map<string, ModelPod[]>();
  /** namespace → `key=value` → pods. */
  private readonly byLabel = new Map<string, Map<string, ModelPod[]>>();
  private readonly withIp: { pod: ModelPod; family: number; value: bigint }[];
  private readonly namespaceNames: readonly string[];

  constructor(private readonly model: NetworkModel) {
    this.pods = model.pods.filter((p) => p.outOfScope === undefined);
    for (const pod of this.pods) {
      push(this.byNamespace, pod.namespace, pod);
      let labels = this.byLabel.get(pod.namespace);
      if (labels === undefined) {
        labels = new Map();
        this.byLabel.set(pod.namespace, labels);
      }
      for (const [key, value] of Object.entries(pod.labels)) push(labels, `${key}=${value}`, pod);
    }
    this.namespaceNames = [...new Set([...model.namespaces.keys(), ...this.byNamespace.keys()])];
    this.withIp = this.pods
      .flatMap((pod) => pod.ips.map((ip) => ({ pod, family: ip.family, value: ip.value })))
      .sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  /** Namespaces a peer's namespaceSelector matches (every namespace known to the model). */
  private namespacesMatching(selector: Selector): string[] {
    const out: string[] = [];
    for (const name of this.namespaceNames) if (selector.compiled.matches(this.model.namespaceLabels(name))) out.push(name);
    return out;
  }

  /**
   * The smallest candidate list a selector allows in one namespace: pods there carrying the value of
   * one of its `matchLabels` or `In` requirements. Undefined when it has no such requirement.
   */
  private candidates(selector: Selector, namespace: string): readonly ModelPod[] | undefined {
    const raw = selector.raw;
    if (!isRecord(raw)) return undefined;
    const labels = this.byLabel.get(namespace);
    let best: readonly ModelPod[] | undefined;
    if (isRecord(raw.matchLabels)) {
      for (const [key, value] of Object.entries(raw.matchLabels)) {
        if (typeof value !== 'string') continue;
        const list = labels?.get(`${key}=${value}`) ?? [];
        if (best === undefined || list.length < best.length) best = list;
      }
    }
    for (const expr of arrayOrEmpty(raw.matchExpressions)) {
      if (!isRecord(expr) || expr.operator !== 'In' || typeof expr.key !== 'string') continue;
      const key = expr.key;
      const values = new Set(arrayOrEmpty(expr.values).filter((v): v is string => typeof v === 'string'));
      const list = [...values].flatMap((v) => labels?.get(`${key}=${v}`) ?? []);
      if (best === undefined || list.length < best.length) best = list;
    }
    return best;
  }

  /** Pods whose labels match `podSelector` (all when absent) in the given namespaces. */
  podsMatching(podSelector: Selector | undefined, namespaces: readonly string[]): ModelPod[] {
    const out: ModelPod[] = [];
    for (const namespace of namespaces) {
      const pool =
        (podSelector === undefined ? undefined : this.candidates(podSelector, namespace)) ?? this.byNamespace.get(namespace) ?? [];
      if (podSelector === undefined || podSelector.matchesAll) {
        out.push(...pool);
        continue;
      }
      for (const pod of pool) if (podSelector.compiled.matches(pod.labels)) out.push(pod);
    }
    return out;
  }

  /** Pods that have an address inside the block and outside its exceptions. */
  podsInBlock(cidr: IpRange, except: readonly IpRange[]): ModelPod[] {
    const list = this.withIp;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const item = list[mid] as (typeof list)[number];
      if (item.family < cidr.family || (item.family === cidr.family && item.value < cidr.start)) lo = mid + 1;
      else hi = mid;
    }
    const out = new Set<ModelPod>();
    for (let i = lo; i < list.length; i++) {
      const item = list[i] as (typeof list)[number];
      if (item.family !== cidr.family || item.value > cidr.end) break;
      let excepted = false;
      for (const e of except) {
        if (item.value >= e.start && item.value <= e.end) {
          excepted = true;
          break;
        }
      }
      if (!excepted) out.add(item.pod);
    }
    return [...out];
  }

  /** Pods a peer matches (R7, R8). */
  podsOfPeer(peer: Peer): ModelPod[] {
    if (peer.kind === 'ipBlock') return this.podsInBlock(peer.cidr, peer.except);
    const namespaces = peer.namespaceSelector === undefined ? [peer.policyNamespace] : this.namespacesMatching(peer.namespaceSelector);
    return this.podsMatching(peer.podSelector, namespaces);
  }

  /** Pods a policy selects (R1): its podSelector, in its own namespace. */
  podsSelectedBy(podSelector: Selector, namespace: string): ModelPod[] {
    return this.podsMatching(podSelector, [namespace]);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
