import type { InputProblem } from '../core/errors.js';
import { apiGroupOf, formatResourceRef, resourceKey, type ResourceRef } from '../core/resource-ref.js';
import { isRecord, stringMap } from '../k8s/guards.js';
import { isWorkloadKind, podTemplateOf, type PodTemplate } from '../k8s/pod-templates.js';
import type { KubeObject, Labels } from '../k8s/types.js';
import type { ObjectSource, SourcedObject } from '../sources/manifest-objects.js';
import { isClusterScoped } from './scope.js';

/** An object held by the Inventory, with its identity resolved (namespace defaulted, scope known). */
export interface InventoryObject {
  /** Unique within the Inventory, even when two files define the same object. */
  readonly id: number;
  /** Identity key (group/kind/namespace/name); shared by duplicates. */
  readonly key: string;
  readonly ref: ResourceRef;
  readonly object: KubeObject;
  readonly source?: ObjectSource;
}

/** A namespace as the Inventory knows it: defined by a Namespace object, or implied by objects in it. */
export interface NamespaceEntry {
  readonly name: string;
  readonly labels: Labels;
  readonly object?: InventoryObject;
  /** True when no Namespace object was given, only objects that live in it. */
  readonly implied: boolean;
}

/** A workload's pod template, ready for checks written once against a pod spec. */
export interface WorkloadTemplate {
  readonly owner: InventoryObject;
  readonly template: PodTemplate;
}

export interface InventoryOptions {
  /** Namespace for namespaced objects that do not name one (what `kubectl apply` would use). */
  readonly defaultNamespace?: string;
}

/**
 * Every object of a scan, indexed by kind, namespace and identity, with derived views (namespaces,
 * pod templates). Supports add/update/remove so the monitor can keep one current from watch events.
 */
export class Inventory {
  readonly defaultNamespace: string;
  private readonly entries = new Map<number, InventoryObject>();
  private readonly byKey = new Map<string, InventoryObject[]>();
  private readonly byKind = new Map<string, Set<InventoryObject>>();
  /** Namespaced objects by namespace (the monitor re-evaluates one namespace at a time). */
  private readonly byNamespace = new Map<string, Set<InventoryObject>>();
  private readonly crdScopes = new Map<string, boolean>();
  private nextId = 1;
  private changeCount = 0;
  private cachedNamespaces: { version: number; value: NamespaceEntry[] } | undefined;
  private cachedTemplates: { version: number; value: WorkloadTemplate[] } | undefined;

  constructor(options: InventoryOptions = {}) {
    this.defaultNamespace = options.defaultNamespace ?? 'default';
  }

  /**
   * Build an Inventory from loaded objects. CRDs are read first so that custom resources get the
   * right scope. Objects defined more than once are all kept (each is judged where it is written)
   * and noted: a warning for a copy inside one file, an info note per file for copies across files.
   */
  static from(objects: readonly SourcedObject[], options: InventoryOptions = {}): { inventory: Inventory; problems: InputProblem[] } {
    const inventory = new Inventory(options);
    for (const { object } of objects) inventory.learnScope(object);
    // Copies across files are noted once per file (variants of one app per environment are common);
    // a copy inside the same file is reported on its own, as it is more likely a mistake.
    const pairs = new Map<string, { source: ObjectSource; firstFile: string; example: InventoryObject; count: number }>();
    const problems: InputProblem[] = [];
    for (const sourced of objects) {
      const source = sourced.source;
      const existing = inventory.byKey.get(inventory.keyOf(sourced.object)) ?? [];
      const first = existing[0];
      const sameFile = existing.find((e) => e.source !== undefined && e.source.file === source?.file);
      const added = inventory.add(sourced);
      if (first === undefined || source === undefined) continue;
      if (sameFile !== undefined) {
        problems.push({
          code: 'duplicate-object',
          level: 'warning',
          location: { file: source.file, documentIndex: source.documentIndex, ...(source.line === undefined ? {} : { line: source.line }) },
          message: `${formatResourceRef(added.ref)} is defined twice in this file (also at line ${sameFile.source?.line ?? '?'}); all copies are checked`,
          hint: 'Remove one copy, or give them different names or namespaces.',
        });
        continue;
      }
      const key = source.file;
      const pair = pairs.get(key);
      if (pair === undefined) pairs.set(key, { source, firstFile: first.source?.file ?? 'another source', example: added, count: 1 });
      else pair.count++;
    }
    for (const { source, firstFile, example, count } of pairs.values()) {
      const what =
        count === 1
          ? `${formatResourceRef(example.ref)} is also defined in ${firstFile}`
          : `${count} objects of this file are also defined in other files (${formatResourceRef(example.ref)} in ${firstFile}, …)`;
      problems.push({
        code: 'duplicate-object',
        level: 'info',
        location: { file: source.file, documentIndex: source.documentIndex, ...(source.line === undefined ? {} : { line: source.line }) },
        message: `${what}; all copies are checked`,
        hint: 'If they are variants for different environments, give them namespaces or scan each environment separately.',
      });
    }
    return { inventory, problems };
  }

  /** Incremented on every change; derived views are cached against it. */
  get version(): number {
    return this.changeCount;
  }

  get size(): number {
    return this.entries.size;
  }

  private learnScope(object: KubeObject): void {
    if (object.kind !== 'CustomResourceDefinition' || apiGroupOf(object.apiVersion) !== 'apiextensions.k8s.io') return;
    const spec = object.spec;
    if (!isRecord(spec) || typeof spec.group !== 'string' || !isRecord(spec.names) || typeof spec.names.kind !== 'string') return;
    this.crdScopes.set(`${spec.group}/${spec.names.kind}`, spec.scope === 'Cluster');
  }

  /** The identity an object gets here: cluster-scoped kinds lose any namespace, namespaced ones get the default. */
  refOf(object: KubeObject): ResourceRef {
    const { apiVersion, kind } = object;
    const name = object.metadata.name;
    if (isClusterScoped(apiVersion, kind, this.crdScopes)) return { apiVersion, kind, name };
    const namespace =
      typeof object.metadata.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : this.defaultNamespace;
    return { apiVersion, kind, namespace, name };
  }

  keyOf(object: KubeObject): string {
    return resourceKey(this.refOf(object));
  }

  /** Add an object (a duplicate identity is kept beside the existing one). */
  add(sourced: SourcedObject): InventoryObject {
    this.learnScope(sourced.object);
    const ref = this.refOf(sourced.object);
    const entry: InventoryObject = {
      id: this.nextId++,
      key: resourceKey(ref),
      ref,
      object: sourced.object,
      ...(sourced.source === undefined ? {} : { source: sourced.source }),
    };
    this.entries.set(entry.id, entry);
    const same = this.byKey.get(entry.key);
    if (same === undefined) this.byKey.set(entry.key, [entry]);
    else same.push(entry);
    const kindKey = `${apiGroupOf(ref.apiVersion)}/${ref.kind}`;
    let ofKind = this.byKind.get(kindKey);
    if (ofKind === undefined) {
      ofKind = new Set();
      this.byKind.set(kindKey, ofKind);
    }
    ofKind.add(entry);
    if (ref.namespace !== undefined) {
      let inNamespace = this.byNamespace.get(ref.namespace);
      if (inNamespace === undefined) {
        inNamespace = new Set();
        this.byNamespace.set(ref.namespace, inNamespace);
      }
      inNamespace.add(entry);
    }
    this.changeCount++;
    return entry;
  }

  /** Replace every object with this identity by one (a watch MODIFIED or ADDED event). */
  upsert(sourced: SourcedObject): InventoryObject {
    this.remove(this.keyOf(sourced.object));
    return this.add(sourced);
  }

  /** Remove every object with this identity key; returns what was removed. */
  remove(key: string): InventoryObject[] {
    const removed = this.byKey.get(key) ?? [];
    for (const entry of removed) {
      this.entries.delete(entry.id);
      this.byKind.get(`${apiGroupOf(entry.ref.apiVersion)}/${entry.ref.kind}`)?.delete(entry);
      const namespace = entry.ref.namespace;
      const inNamespace = namespace === undefined ? undefined : this.byNamespace.get(namespace);
      if (namespace !== undefined && inNamespace !== undefined) {
        inNamespace.delete(entry);
        if (inNamespace.size === 0) this.byNamespace.delete(namespace);
      }
    }
    if (removed.length > 0) {
      this.byKey.delete(key);
      this.changeCount++;
    }
    return removed;
  }

  /** The objects with this identity key (more than one when a file set defines it twice). */
  entriesOf(key: string): readonly InventoryObject[] {
    return this.byKey.get(key) ?? [];
  }

  /**
   * The pod template of one object, when it is judged on its own (`podTemplates` gives it): a
   * workload whose controller is not in the Inventory. Lets the monitor look at one object without
   * rebuilding every template.
   */
  templateOf(entry: InventoryObject): WorkloadTemplate | undefined {
    if (!isWorkloadKind(entry.ref.apiVersion, entry.ref.kind) || this.hasControllerPresent(entry)) return undefined;
    const template = podTemplateOf(entry.object);
    return template === undefined ? undefined : { owner: entry, template };
  }

  /** Every object, in the order added. */
  all(): InventoryObject[] {
    return [...this.entries.values()];
  }

  /** Objects of a kind, optionally restricted to an API group (`''` is core) and a namespace. */
  ofKind(kind: string, options: { group?: string; namespace?: string } = {}): InventoryObject[] {
    const out: InventoryObject[] = [];
    for (const [key, set] of this.byKind) {
      const slash = key.indexOf('/');
      if (key.slice(slash + 1) !== kind) continue;
      if (options.group !== undefined && key.slice(0, slash) !== options.group) continue;
      for (const entry of set) {
        if (options.namespace === undefined || entry.ref.namespace === options.namespace) out.push(entry);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The objects that live in a namespace (not the Namespace object itself), in the order added. */
  inNamespace(namespace: string): InventoryObject[] {
    const set = this.byNamespace.get(namespace);
    return set === undefined ? [] : [...set].sort((a, b) => a.id - b.id);
  }

  /** The object with this identity (the first, if it is defined more than once). */
  get(group: string, kind: string, namespace: string | undefined, name: string): InventoryObject | undefined {
    return this.byKey.get(`${group}/${kind}/${namespace ?? ''}/${name}`)?.[0];
  }

  /** Namespaces: those defined by Namespace objects and those implied by objects that live in them, sorted by name. */
  namespaces(): NamespaceEntry[] {
    if (this.cachedNamespaces?.version === this.changeCount) return this.cachedNamespaces.value;
    const byName = new Map<string, NamespaceEntry>();
    for (const entry of this.ofKind('Namespace', { group: '' })) {
      if (!byName.has(entry.ref.name)) {
        byName.set(entry.ref.name, {
          name: entry.ref.name,
          labels: stringMap(entry.object.metadata.labels),
          object: entry,
          implied: false,
        });
      }
    }
    for (const ns of this.byNamespace.keys()) {
      if (!byName.has(ns)) byName.set(ns, { name: ns, labels: {}, implied: true });
    }
    const value = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.cachedNamespaces = { version: this.changeCount, value };
    return value;
  }

  /**
   * Pod templates of every workload, one per workload: a Pod, ReplicaSet or Job whose controller
   * (per ownerReferences) is also in the Inventory is left to that controller, so a Deployment is
   * judged once and not again through its ReplicaSets and Pods.
   */
  podTemplates(): WorkloadTemplate[] {
    if (this.cachedTemplates?.version === this.changeCount) return this.cachedTemplates.value;
    const value: WorkloadTemplate[] = [];
    for (const entry of this.entries.values()) {
      if (!isWorkloadKind(entry.ref.apiVersion, entry.ref.kind)) continue;
      if (this.hasControllerPresent(entry)) continue;
      const template = podTemplateOf(entry.object);
      if (template !== undefined) value.push({ owner: entry, template });
    }
    this.cachedTemplates = { version: this.changeCount, value };
    return value;
  }

  /** The pod templates of one namespace's workloads: `podTemplates()` of the objects in it, in the same order. */
  podTemplatesIn(namespace: string): WorkloadTemplate[] {
    if (this.cachedTemplates?.version === this.changeCount)
      return this.cachedTemplates.value.filter((t) => t.owner.ref.namespace === namespace);
    const value: WorkloadTemplate[] = [];
    for (const entry of this.inNamespace(namespace)) {
      const template = this.templateOf(entry);
      if (template !== undefined) value.push(template);
    }
    return value;
  }

  /** True when the object's controlling owner is also in the Inventory. */
  hasControllerPresent(entry: InventoryObject): boolean {
    const owners = entry.object.metadata.ownerReferences;
    if (!Array.isArray(owners)) return false;
    for (const owner of owners as unknown[]) {
      if (!isRecord(owner) || owner.controller !== true) continue;
      if (typeof owner.kind !== 'string' || typeof owner.name !== 'string' || typeof owner.apiVersion !== 'string') continue;
      if (this.get(apiGroupOf(owner.apiVersion), owner.kind, entry.ref.namespace, owner.name) !== undefined) return true;
    }
    return false;
  }
}
