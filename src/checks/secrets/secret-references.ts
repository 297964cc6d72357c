/**
 * Who refers to which Secret, across an Inventory: pods (volumes, env, envFrom, image pull secrets),
 * service accounts, Ingress TLS and annotations, Gateway certificate references, any object field
 * named like a Secret reference (`secretName`, `…SecretRef.name`: cert-manager, CSI drivers, operators),
 * and Roles that grant read access to Secrets by name. Computed once per Inventory version.
 */
import { apiGroupOf, formatResourceRef } from '../../core/resource-ref.js';
import type { Inventory, InventoryObject } from '../../inventory/inventory.js';
import { arrayOrEmpty, isRecord, stringMap, type JsonRecord } from '../../k8s/guards.js';
import { containersOf, isWorkloadKind } from '../../k8s/pod-templates.js';

/** One use of a Secret: who, and through which field. */
export interface SecretUse {
  /** `Deployment shop/api` */
  readonly by: string;
  readonly via: string;
}

export interface SecretReferenceIndex {
  /** Uses by `namespace/name`. */
  readonly uses: ReadonlyMap<string, readonly SecretUse[]>;
  /** Namespaces where a Role lets someone read every Secret through the API. */
  readonly readableInNamespace: ReadonlySet<string>;
  /** Secret names that a ClusterRole lets someone read, by name, in any namespace. */
  readonly readableByName: ReadonlySet<string>;
  /** Namespaces that hold at least one workload, so that "nothing uses it" can be concluded there. */
  readonly namespacesWithWorkloads: ReadonlySet<string>;
}

const cache = new WeakMap<Inventory, { version: number; value: SecretReferenceIndex }>();

/** Kinds whose fields are never references to Secrets (or are Secrets). */
const SKIP_KINDS = new Set(['Secret', 'ConfigMap', 'CustomResourceDefinition', 'Event', 'Node']);

const READ_VERBS = new Set(['get', 'list', 'watch', '*']);

class Builder {
  readonly uses = new Map<string, SecretUse[]>();
  readonly readableInNamespace = new Set<string>();
  readonly readableByName = new Set<string>();
  readonly namespacesWithWorkloads = new Set<string>();

  add(namespace: string | undefined, name: unknown, by: InventoryObject, via: string): void {
    if (namespace === undefined || typeof name !== 'string' || name === '') return;
    const key = `${namespace}/${name}`;
    const list = this.uses.get(key);
    const use = { by: formatResourceRef(by.ref), via };
    if (list === undefined) this.uses.set(key, [use]);
    else list.push(use);
  }
}

/** `ns/name` or `name` (in the object's own namespace), as annotations and some CRDs write references. */
function splitQualified(value: string, namespace: string | undefined): [string | undefined, string] {
  const slash = value.indexOf('/');
  return slash === -1 ? [namespace, value] : [value.slice(0, slash), value.slice(slash + 1)];
}

const REF_KEY = /(?:^s|S)ecretRef$|(?:^s|S)ecretKeyRef$|PublishSecretRef$|ExpandSecretRef$|StageSecretRef$/;

/**
 * Fields named like Secret references anywhere in an object: `secretName: x`, `existingSecret: x`,
 * `fooSecretRef: {name: x, namespace?: y}`. Status is skipped (it reports, it does not refer).
 */
function walk(value: unknown, namespace: string | undefined, by: InventoryObject, path: string, builder: Builder, depth: number): void {
  if (depth > 14) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, namespace, by, `${path}[${i}]`, builder, depth + 1);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (depth === 0 && (key === 'status' || key === 'metadata')) continue;
    const at = path === '' ? key : `${path}.${key}`;
    if ((key === 'secretName' || key === 'existingSecret') && typeof child === 'string') {
      builder.add(namespace, child, by, at);
    } else if ((REF_KEY.test(key) || key === 'secret') && isRecord(child) && typeof child.name === 'string') {
      // `…SecretRef: {name}`, and projected volume sources `secret: {name}`.
      builder.add(typeof child.namespace === 'string' ? child.namespace : namespace, child.name, by, at);
    } else {
      walk(child, namespace, by, at, builder, depth + 1);
    }
  }
}

function addPodReferences(entry: InventoryObject, spec: JsonRecord, specPath: string, builder: Builder): void {
  const ns = entry.ref.namespace;
  walk(spec.volumes, ns, entry, `${specPath}.volumes`, builder, 1);
  arrayOrEmpty(spec.imagePullSecrets).forEach((ref, i) => {
    if (isRecord(ref)) builder.add(ns, ref.name, entry, `${specPath}.imagePullSecrets[${i}]`);
  });
  for (const c of containersOf(spec, '')) {
    arrayOrEmpty(c.container.env).forEach((env, i) => {
      if (isRecord(env) && isRecord(env.valueFrom) && isRecord(env.valueFrom.secretKeyRef)) {
        builder.add(ns, env.valueFrom.secretKeyRef.name, entry, `${specPath}.${c.kind}[${c.index}].env[${i}]`);
      }
    });
    arrayOrEmpty(c.container.envFrom).forEach((source, i) => {
      if (isRecord(source) && isRecord(source.secretRef)) {
        builder.add(ns, source.secretRef.name, entry, `${specPath}.${c.kind}[${c.index}].envFrom[${i}]`);
      }
    });
  }
}

function addRoleGrants(entry: InventoryObject, builder: Builder): void {
  const clusterWide = entry.ref.kind === 'ClusterRole';
  for (const rule of arrayOrEmpty(entry.object.rules)) {
    if (!isRecord(rule)) continue;
    const groups = arrayOrEmpty(rule.apiGroups);
    const resources = arrayOrEmpty(rule.resources);
    const verbs = arrayOrEmpty(rule.verbs);
    if (!groups.some((g) => g === '' || g === '*')) continue;
    if (!resources.some((r) => r === 'secrets' || r === '*')) continue;
    if (!verbs.some((v) => typeof v === 'string' && READ_VERBS.has(v))) continue;
    const names = arrayOrEmpty(rule.resourceNames).filter((n): n is string => typeof n === 'string');
    if (names.length > 0) {
      for (const name of names) {
        if (clusterWide) builder.readableByName.add(name);
        else if (entry.ref.namespace !== undefined) builder.add(entry.ref.namespace, name, entry, 'rules (read by name)');
      }
    } else if (!clusterWide && entry.ref.namespace !== undefined) {
      // A namespaced Role that reads every Secret: something in the namespace reads Secrets through the API.
      builder.readableInNamespace.add(entry.ref.namespace);
    }
  }
}

function build(inventory: Inventory): SecretReferenceIndex {
  const builder = new Builder();
  for (const { owner, template } of inventory.podTemplates()) {
    if (owner.ref.namespace !== undefined) builder.namespacesWithWorkloads.add(owner.ref.namespace);
    addPodReferences(owner, template.spec as JsonRecord, template.specPointer.slice(1).replaceAll('/', '.'), builder);
  }
  for (const entry of inventory.all()) {
    const { kind, apiVersion, namespace } = entry.ref;
    const group = apiGroupOf(apiVersion);
    if (SKIP_KINDS.has(kind)) continue;
    if (kind === 'ServiceAccount' && group === '') {
      for (const field of ['secrets', 'imagePullSecrets'] as const) {
        arrayOrEmpty(entry.object[field]).forEach((ref, i) => {
          if (isRecord(ref)) builder.add(namespace, ref.name, entry, `${field}[${i}]`);
        });
      }
      continue;
    }
    if ((kind === 'Role' || kind === 'ClusterRole') && group === 'rbac.authorization.k8s.io') {
      addRoleGrants(entry, builder);
      continue;
    }
    if (kind === 'Ingress') {
      for (const [key, value] of Object.entries(stringMap(entry.object.metadata.annotations))) {
        // ingress-nginx auth-secret, auth-tls-secret, proxy-ssl-secret …: `[namespace/]name`.
        if (/secret$/i.test(key)) {
          const [ns, name] = splitQualified(value, namespace);
          builder.add(ns, name, entry, `metadata.annotations["${key}"]`);
        }
      }
    }
    // The Prometheus Operator reads an Alertmanager's configuration from the Secret alertmanager-<name> by convention.
    if (kind === 'Alertmanager' && group === 'monitoring.coreos.com')
      builder.add(namespace, `alertmanager-${entry.ref.name}`, entry, '(operator convention)');
    if (kind === 'Gateway' && group === 'gateway.networking.k8s.io' && isRecord(entry.object.spec)) {
      arrayOrEmpty(entry.object.spec.listeners).forEach((listener, i) => {
        if (!isRecord(listener) || !isRecord(listener.tls)) return;
        arrayOrEmpty(listener.tls.certificateRefs).forEach((ref, j) => {
          if (!isRecord(ref) || (ref.kind !== undefined && ref.kind !== 'Secret')) return;
          builder.add(
            typeof ref.namespace === 'string' ? ref.namespace : namespace,
            ref.name,
            entry,
            `spec.listeners[${i}].tls.certificateRefs[${j}]`,
          );
        });
      });
      continue;
    }
    // Pod templates were read above; everything else is searched for fields named like references.
    if (isWorkloadKind(apiVersion, kind)) continue;
    walk(entry.object, namespace, entry, '', builder, 0);
  }
  return {
    uses: builder.uses,
    readableInNamespace: builder.readableInNamespace,
    readableByName: builder.readableByName,
    namespacesWithWorkloads: builder.namespacesWithWorkloads,
  };
}

/** The reference index for an Inventory, built on first use and rebuilt when the Inventory changes. */
export function secretReferences(inventory: Inventory): SecretReferenceIndex {
  const cached = cache.get(inventory);
  if (cached?.version === inventory.version) return cached.value;
  const value = build(inventory);
  cache.set(inventory, { version: inventory.version, value });
  return value;
}
