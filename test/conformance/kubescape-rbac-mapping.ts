/**
 * Kubescape (regolibrary) RBAC and service-account rules → Vigil checks.
 *
 * Mapped: 16 rules (17 controls). 15 of them have fixtures in ../shared/conformance/posture/kubescape:
 * 52 cases, of which 46 give the same verdict and failing set as kubescape and 6 are recorded
 * deviations, each with its reason below (kubescape treats `pods/*` as a wildcard and ignores that
 * RoleBindings cannot grant cluster-scoped resources; the API server does neither). The counts are
 * asserted by test/conformance/kubescape-rbac.test.ts, so this comment cannot drift silently.
 *
 * `failing` says how kubescape names what fails: `subjects` for rules that aggregate subjects with their
 * roles and bindings (compared through the binding's `/subjects/<i>` or the role's bindings), `objects`
 * for rules that fail an object (`Kind/name`).
 */

export interface KubescapeRbacMapping {
  /** kubescape rule directory (rules/<rule>). */
  readonly rule: string;
  readonly controls: readonly string[];
  /** The Vigil checks whose findings make the verdict (fail = any finding). */
  readonly checks: readonly string[];
  readonly failing: 'subjects' | 'objects';
  /** Only findings about these subjects count (for rules about one subject). */
  readonly onlySubjects?: readonly string[];
  /** Cases (by `case` path) where Vigil's verdict deliberately differs, with the reason. */
  readonly deviations?: Readonly<Record<string, string>>;
}

const POD_STAR =
  'kubescape treats resources entry "pods/*" as every pods subresource. The API server does not: ResourceMatches only expands "*" and "*/<subresource>", so "pods/*" grants nothing (see the authorizer table test).';
const CLUSTER_SCOPED_VIA_ROLEBINDING = (what: string): string =>
  `kubescape counts ${what} granted through a RoleBinding. ${what} is cluster-scoped: its requests carry no namespace, so the authorizer only consults ClusterRoleBindings and the RoleBinding grants nothing.`;

/** The checks that together mean "can take over the cluster" (for kubescape's takeover rules). */
export const TAKEOVER_CHECKS = [
  'rbac/cluster-admin-binding',
  'rbac/secrets-read',
  'rbac/create-pods',
  'rbac/pods-exec',
  'rbac/escalate-bind',
  'rbac/impersonate',
  'rbac/nodes-proxy',
  'rbac/csr-approval',
  'rbac/serviceaccount-token-create',
] as const;

export const KUBESCAPE_RBAC_MAPPING: readonly KubescapeRbacMapping[] = [
  { rule: 'cluster-admin-role', controls: ['C-0185'], checks: ['rbac/cluster-admin-binding'], failing: 'subjects' },
  { rule: 'rule-list-all-cluster-admins-v1', controls: ['C-0035', 'C-0187'], checks: ['rbac/wildcard-rules'], failing: 'subjects' },
  { rule: 'rule-can-list-get-secrets-v1', controls: ['C-0015', 'C-0186'], checks: ['rbac/secrets-read'], failing: 'subjects' },
  {
    rule: 'exec-into-container-v1',
    controls: ['C-0002'],
    checks: ['rbac/pods-exec'],
    failing: 'subjects',
    deviations: { 'rules/exec-into-container-v1/test/clusterrole': POD_STAR },
  },
  {
    rule: 'rule-can-portforward-v1',
    controls: ['C-0063'],
    checks: ['rbac/pods-port-forward'],
    failing: 'subjects',
    deviations: { 'rules/rule-can-portforward-v1/test/clusterrole-clusterrolebinding': POD_STAR },
  },
  {
    rule: 'rule-can-access-proxy-subresource',
    controls: ['C-0279'],
    checks: ['rbac/nodes-proxy'],
    failing: 'subjects',
    deviations: {
      'rules/rule-can-access-proxy-subresource/test/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING('nodes/proxy'),
      'rules/rule-can-access-proxy-subresource/test/role-rolebinding': `${CLUSTER_SCOPED_VIA_ROLEBINDING('nodes/proxy')} (Here a namespaced Role lists it.)`,
    },
  },
  {
    rule: 'rule-can-approve-cert-signing-request',
    controls: ['C-0280'],
    checks: ['rbac/csr-approval'],
    failing: 'subjects',
    deviations: {
      'rules/rule-can-approve-cert-signing-request/test/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING(
        'certificatesigningrequests/approval',
      ),
      'rules/rule-can-approve-cert-signing-request/test/role-rolebinding': `${CLUSTER_SCOPED_VIA_ROLEBINDING('certificatesigningrequests/approval')} (Here a namespaced Role lists it.)`,
    },
  },
  { rule: 'rule-can-bind-escalate', controls: ['C-0191'], checks: ['rbac/escalate-bind'], failing: 'subjects' },
  { rule: 'rule-can-impersonate-users-groups-v1', controls: ['C-0065', 'C-0191'], checks: ['rbac/impersonate'], failing: 'subjects' },
  { rule: 'rule-can-create-pod', controls: ['C-0188'], checks: ['rbac/create-pods'], failing: 'subjects' },
  {
    rule: 'rule-can-create-service-account-token',
    controls: ['C-0282'],
    checks: ['rbac/serviceaccount-token-create'],
    failing: 'subjects',
  },
  { rule: 'anonymous-access-enabled', controls: ['C-0262'], checks: ['rbac/anonymous-access'], failing: 'objects' },
  {
    rule: 'ensure-default-service-accounts-has-only-default-roles',
    controls: ['C-0225', 'C-0239'],
    checks: ['rbac/default-service-account-bound'],
    failing: 'objects',
  },
  { rule: 'automount-service-account', controls: ['C-0034', 'C-0190'], checks: ['rbac/unneeded-token-automount'], failing: 'objects' },
  {
    rule: 'workload-with-cluster-takeover-roles',
    controls: ['C-0267'],
    checks: ['rbac/workload-token-risky-permissions'],
    failing: 'objects',
  },
  // No fixtures in the shared copy; mapped for when they are present.
  {
    rule: 'system-authenticated-allowed-to-take-over-cluster',
    controls: ['C-0265'],
    checks: TAKEOVER_CHECKS,
    failing: 'subjects',
    onlySubjects: ['Group/system:authenticated'],
  },
];

/** RBAC and service-account rules of kubescape that no Vigil check mirrors, and why. */
export const KUBESCAPE_RBAC_UNMAPPED: readonly { readonly rule: string; readonly controls: readonly string[]; readonly reason: string }[] =
  [
    {
      rule: 'rule-access-dashboard-subject-v1',
      controls: ['C-0014'],
      reason:
        'Fails any subject bound to a role named kubernetes-dashboard, whatever the role allows; Vigil judges what a role grants, not its name.',
    },
    {
      rule: 'rule-can-create-pv',
      controls: ['C-0278'],
      reason:
        'PersistentVolume creation is not among the grants the RBAC issue asks for; both failing fixtures also grant the cluster-scoped resource through a RoleBinding, which grants nothing.',
    },
    { rule: 'rule-excessive-delete-rights-v1', controls: ['C-0007'], reason: 'Delete rights are not among the RBAC grants Vigil reports.' },
    {
      rule: 'serviceaccount-token-mount',
      controls: ['C-0261'],
      reason:
        'Fails a pod that mounts a token whenever any RoleBinding names its service account, even one to a role that does not exist. Vigil splits the question: rbac/unneeded-token-automount (token mounted, nothing granted) and rbac/workload-token-risky-permissions (token that can take over); neither is "any binding".',
    },
    {
      rule: 'workload-with-administrative-roles',
      controls: ['C-0272'],
      reason:
        'Fails only "administrative" (all-wildcard) service accounts; rbac/workload-token-risky-permissions also reports secrets read and pod creation (its pass-wl-limited-permissions case, with * on secrets, is a finding in Vigil).',
    },
    {
      rule: 'non-existent-service-account',
      controls: ['C-0307'],
      reason: 'A workload naming a missing service account is a workload-configuration check, not an RBAC grant.',
    },
    {
      rule: 'namespace-without-service-account',
      controls: ['C-0189'],
      reason: 'An informational listing of namespaces without service accounts; nothing to mirror.',
    },
    {
      rule: 'serviceaccount-in-default-namespace',
      controls: ['C-0212'],
      reason: 'An informational listing of objects in the default namespace.',
    },
    { rule: 'role-in-default-namespace', controls: ['C-0212'], reason: 'An informational listing of objects in the default namespace.' },
    {
      rule: 'rolebinding-in-default-namespace',
      controls: ['C-0212'],
      reason: 'An informational listing of objects in the default namespace.',
    },
    {
      rule: 'automount-default-service-account',
      controls: ['C-0189', 'C-0225'],
      reason:
        'Judges the default ServiceAccount object’s automount setting; Vigil judges pods that actually get a token (rbac/unneeded-token-automount). No fixtures in the shared copy.',
    },
    {
      rule: 'access-container-service-account-v1',
      controls: ['C-0053'],
      reason:
        'Lists every service account with any RBAC permission (an inventory, not a finding); `vigil rbac subjects` shows the same. No fixtures in the shared copy.',
    },
    {
      rule: 'rule-can-delete-k8s-events-v1',
      controls: ['C-0031'],
      reason: 'Deleting events is not among the RBAC grants Vigil reports. No fixtures in the shared copy.',
    },
    {
      rule: 'rule-can-update-configmap-v1',
      controls: ['C-0037'],
      reason: 'ConfigMap updates (CoreDNS poisoning) are not among the RBAC grants Vigil reports. No fixtures in the shared copy.',
    },
    {
      rule: 'rule-can-modify-admission-webhooks',
      controls: ['C-0281'],
      reason: 'Webhook-configuration changes are not among the RBAC grants Vigil reports. No fixtures in the shared copy.',
    },
  ];

/** What the mapping achieves on the shared fixtures; asserted by the conformance test. */
export const KUBESCAPE_RBAC_COUNTS = { rulesMapped: 16, rulesWithFixtures: 15, cases: 52, agreeing: 46, deviations: 6 } as const;
