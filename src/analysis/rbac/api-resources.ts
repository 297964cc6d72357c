/**
 * Built-in API resources by plural name: their group and whether they live in namespaces
 * (`kubectl api-resources` on a current cluster). Used to resolve a bare resource name to its group
 * the way kubectl's discovery does, and to know which requests can carry a namespace: requests for a
 * cluster-scoped resource have none, so RoleBindings never grant them.
 */
export interface ApiResource {
  readonly group: string;
  readonly namespaced: boolean;
}

const R = (group: string, namespaced: boolean): ApiResource => ({ group, namespaced });

export const API_RESOURCES: ReadonlyMap<string, ApiResource> = new Map([
  // core
  ['bindings', R('', true)],
  ['componentstatuses', R('', false)],
  ['configmaps', R('', true)],
  ['endpoints', R('', true)],
  ['events', R('', true)],
  ['limitranges', R('', true)],
  ['namespaces', R('', false)],
  ['nodes', R('', false)],
  ['persistentvolumeclaims', R('', true)],
  ['persistentvolumes', R('', false)],
  ['pods', R('', true)],
  ['podtemplates', R('', true)],
  ['replicationcontrollers', R('', true)],
  ['resourcequotas', R('', true)],
  ['secrets', R('', true)],
  ['serviceaccounts', R('', true)],
  ['services', R('', true)],
  // impersonation targets (not discoverable, but authorized as core-group resources)
  ['users', R('', false)],
  ['groups', R('', false)],
  ['uids', R('authentication.k8s.io', false)],
  ['userextras', R('authentication.k8s.io', false)],
  // apps, batch, autoscaling, policy
  ['controllerrevisions', R('apps', true)],
  ['daemonsets', R('apps', true)],
  ['deployments', R('apps', true)],
  ['replicasets', R('apps', true)],
  ['statefulsets', R('apps', true)],
  ['cronjobs', R('batch', true)],
  ['jobs', R('batch', true)],
  ['horizontalpodautoscalers', R('autoscaling', true)],
  ['poddisruptionbudgets', R('policy', true)],
  // rbac
  ['clusterrolebindings', R('rbac.authorization.k8s.io', false)],
  ['clusterroles', R('rbac.authorization.k8s.io', false)],
  ['rolebindings', R('rbac.authorization.k8s.io', true)],
  ['roles', R('rbac.authorization.k8s.io', true)],
  // authn / authz reviews
  ['tokenreviews', R('authentication.k8s.io', false)],
  ['selfsubjectreviews', R('authentication.k8s.io', false)],
  ['localsubjectaccessreviews', R('authorization.k8s.io', true)],
  ['selfsubjectaccessreviews', R('authorization.k8s.io', false)],
  ['selfsubjectrulesreviews', R('authorization.k8s.io', false)],
  ['subjectaccessreviews', R('authorization.k8s.io', false)],
  // certificates
  ['certificatesigningrequests', R('certificates.k8s.io', false)],
  ['signers', R('certificates.k8s.io', false)],
  ['clustertrustbundles', R('certificates.k8s.io', false)],
  // networking, discovery
  ['ingresses', R('networking.k8s.io', true)],
  ['ingressclasses', R('networking.k8s.io', false)],
  ['networkpolicies', R('networking.k8s.io', true)],
  ['ipaddresses', R('networking.k8s.io', false)],
  ['servicecidrs', R('networking.k8s.io', false)],
  ['endpointslices', R('discovery.k8s.io', true)],
  // admission, extension, aggregation
  ['mutatingwebhookconfigurations', R('admissionregistration.k8s.io', false)],
  ['validatingwebhookconfigurations', R('admissionregistration.k8s.io', false)],
  ['validatingadmissionpolicies', R('admissionregistration.k8s.io', false)],
  ['validatingadmissionpolicybindings', R('admissionregistration.k8s.io', false)],
  ['mutatingadmissionpolicies', R('admissionregistration.k8s.io', false)],
  ['mutatingadmissionpolicybindings', R('admissionregistration.k8s.io', false)],
  ['customresourcedefinitions', R('apiextensions.k8s.io', false)],
  ['apiservices', R('apiregistration.k8s.io', false)],
  // storage, scheduling, node, coordination, events, flow control
  ['storageclasses', R('storage.k8s.io', false)],
  ['csidrivers', R('storage.k8s.io', false)],
  ['csinodes', R('storage.k8s.io', false)],
  ['csistoragecapacities', R('storage.k8s.io', true)],
  ['volumeattachments', R('storage.k8s.io', false)],
  ['volumeattributesclasses', R('storage.k8s.io', false)],
  ['priorityclasses', R('scheduling.k8s.io', false)],
  ['runtimeclasses', R('node.k8s.io', false)],
  ['leases', R('coordination.k8s.io', true)],
  ['flowschemas', R('flowcontrol.apiserver.k8s.io', false)],
  ['prioritylevelconfigurations', R('flowcontrol.apiserver.k8s.io', false)],
  ['podsecuritypolicies', R('policy', false)],
  ['resourceclaims', R('resource.k8s.io', true)],
  ['resourceclaimtemplates', R('resource.k8s.io', true)],
  ['deviceclasses', R('resource.k8s.io', false)],
  ['resourceslices', R('resource.k8s.io', false)],
]);

/** Whether requests for a resource of a group are cluster-scoped (unknown resources: undefined). */
export function isClusterScopedResource(group: string, resource: string): boolean | undefined {
  const known = API_RESOURCES.get(resource);
  if (known?.group !== group) return undefined;
  return !known.namespaced;
}
