/** Identity of a Kubernetes object, as a finding or an alert refers to it. */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/** API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** `Deployment shop/web`, `ClusterRole admin`: how people say which object they mean. */
export function formatResourceRef(ref: ResourceRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * A key that identifies the object regardless of its API version (the same Deployment under
 * `apps/v1` and `extensions/v1beta1` is one object).
 */
export function resourceKey(ref: ResourceRef): string {
  return `${apiGroupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
