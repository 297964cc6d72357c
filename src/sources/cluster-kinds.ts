/**
 * The kinds Vigil reads from a live cluster, with their REST paths. This is the union of what the
 * checks and analysis engines look at: workloads and pods (pod security, images, resources), network
 * objects, RBAC, namespaces and their quotas, admission webhooks, and Secrets — the latter as metadata
 * only (see `metadataOnly`). Paths follow the Kubernetes API conventions
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#standard-api-terminology):
 * `/api/v1/<plural>` for the core group, `/apis/<group>/<version>/<plural>` for the others, with
 * `/namespaces/<ns>/` inserted to read one namespace.
 */
export interface ClusterKind {
  /** API group; `''` is the core group. */
  readonly group: string;
  readonly version: string;
  /** Resource name in URLs (`deployments`). */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /**
   * Read as PartialObjectMetadata (metadata only) so that Vigil never receives the values. Secrets are
   * the reason: RBAC that allows `list secrets` returns their data with a normal list.
   */
  readonly metadataOnly?: boolean;
  /** Optional add-on kinds (a mesh, …): a 404 means "not installed" and is noted, not an error. */
  readonly optional?: boolean;
}

export const CLUSTER_KINDS: readonly ClusterKind[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, metadataOnly: true },
  { group: '', version: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  { group: '', version: 'v1', plural: 'limitranges', kind: 'LimitRange', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
  },
  {
    group: 'security.istio.io',
    version: 'v1',
    plural: 'peerauthentications',
    kind: 'PeerAuthentication',
    namespaced: true,
    optional: true,
  },
  {
    group: 'security.istio.io',
    version: 'v1',
    plural: 'authorizationpolicies',
    kind: 'AuthorizationPolicy',
    namespaced: true,
    optional: true,
  },
];

/** `apps/v1` or `v1`. */
export function apiVersionOf(kind: ClusterKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** `deployments.apps`, `pods`: how kubectl and RBAC name a resource. */
export function resourceNameOf(kind: ClusterKind): string {
  return kind.group === '' ? kind.plural : `${kind.plural}.${kind.group}`;
}

/** The collection path, for all namespaces or for one. */
export function collectionPath(kind: ClusterKind, namespace?: string): string {
  const base = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  const ns = kind.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${kind.plural}`;
}

/** Find kinds by kubectl-style resource names (`pods`, `deployments.apps`) or kinds (`Pod`). */
export function selectKinds(names: readonly string[] | undefined, all: readonly ClusterKind[] = CLUSTER_KINDS): ClusterKind[] {
  if (names === undefined || names.length === 0) return [...all];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return all.filter((k) => wanted.has(k.plural) || wanted.has(resourceNameOf(k)) || wanted.has(k.kind.toLowerCase()));
}
