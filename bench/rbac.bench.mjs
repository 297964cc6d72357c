// RBAC engine on a generated cluster: 2,000 roles and 10,000 bindings (deterministic), per-query
// `can` and `whoCan` times. Baselines measured in the same run: building the index, and a naive `can`
// that scans every binding for every query (what the index avoids).
// Prints {bench, roles, bindings, build_ms, can_us, naive_can_us, who_can_us, who_can_anywhere_us, allowed_ratio}.
import { Inventory } from '../dist/inventory/inventory.js';
import { RbacIndex } from '../dist/analysis/rbac/rbac-index.js';
import { resourceRequest } from '../dist/analysis/rbac/request.js';
import { ruleAllows } from '../dist/analysis/rbac/rule-matching.js';
import { subjectNamespace } from '../dist/analysis/rbac/rbac-objects.js';
import { authenticatedUser, serviceAccountUsername } from '../dist/analysis/rbac/user-info.js';
import { round, timeMedian } from './support.mjs';

// mulberry32: a small deterministic PRNG, so every run benches the same cluster and queries.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20240601);
const pick = (list) => list[Math.floor(random() * list.length)];
const some = (list, max) => [...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(list)))];

const NAMESPACES = Array.from({ length: 200 }, (_, i) => `ns-${i}`);
const RESOURCES = [
  ['', 'pods'],
  ['', 'pods/log'],
  ['', 'pods/exec'],
  ['', 'services'],
  ['', 'configmaps'],
  ['', 'secrets'],
  ['', 'endpoints'],
  ['', 'persistentvolumeclaims'],
  ['', 'serviceaccounts'],
  ['', 'events'],
  ['', 'nodes'],
  ['', 'namespaces'],
  ['apps', 'deployments'],
  ['apps', 'deployments/scale'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['apps', 'replicasets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['networking.k8s.io', 'ingresses'],
  ['networking.k8s.io', 'networkpolicies'],
  ['rbac.authorization.k8s.io', 'roles'],
  ['rbac.authorization.k8s.io', 'rolebindings'],
  ['policy', 'poddisruptionbudgets'],
  ['autoscaling', 'horizontalpodautoscalers'],
  ['coordination.k8s.io', 'leases'],
  ...Array.from({ length: 30 }, (_, i) => [`crd${i % 10}.example.com`, `widgets${i}`]),
];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const USERS = Array.from({ length: 2000 }, (_, i) => `user-${i}@example.com`);
const GROUPS = Array.from({ length: 200 }, (_, i) => `team-${i}`);
const RBAC = 'rbac.authorization.k8s.io/v1';

function rules() {
  return Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
    const chosen = some(RESOURCES, 4);
    const rule = {
      apiGroups: [...new Set(chosen.map(([g]) => g))],
      resources: chosen.map(([, r]) => r),
      verbs: some(VERBS, 5),
    };
    const roll = random();
    if (roll < 0.03) rule.verbs = ['*'];
    else if (roll < 0.05) rule.resources = ['*'];
    else if (roll < 0.08) rule.resourceNames = [`obj-${Math.floor(random() * 50)}`];
    return rule;
  });
}

function subject(namespace) {
  const roll = random();
  if (roll < 0.4) return { kind: 'User', name: pick(USERS), apiGroup: 'rbac.authorization.k8s.io' };
  if (roll < 0.7) return { kind: 'Group', name: pick(GROUPS), apiGroup: 'rbac.authorization.k8s.io' };
  return { kind: 'ServiceAccount', name: `sa-${Math.floor(random() * 20)}`, namespace: namespace ?? pick(NAMESPACES) };
}

const objects = [];
const roleNames = [];
for (let i = 0; i < 1500; i++) {
  const namespace = pick(NAMESPACES);
  objects.push({ apiVersion: RBAC, kind: 'Role', metadata: { name: `role-${i}`, namespace }, rules: rules() });
  roleNames.push([namespace, `role-${i}`]);
}
const clusterRoleNames = [];
for (let i = 0; i < 480; i++) {
  const labels = random() < 0.2 ? { 'example.com/aggregate-to-team': `${i % 20}` } : {};
  objects.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: `clusterrole-${i}`, labels }, rules: rules() });
  clusterRoleNames.push(`clusterrole-${i}`);
}
for (let i = 0; i < 20; i++) {
  objects.push({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: `aggregated-${i}` },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-team': `${i}` } }] },
  });
  clusterRoleNames.push(`aggregated-${i}`);
}
for (let i = 0; i < 9000; i++) {
  const useClusterRole = random() < 0.4;
  const [roleNamespace, roleName] = pick(roleNames);
  const namespace = useClusterRole ? pick(NAMESPACES) : roleNamespace;
  objects.push({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: `rb-${i}`, namespace },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: useClusterRole ? 'ClusterRole' : 'Role',
      name: useClusterRole ? pick(clusterRoleNames) : roleName,
    },
    subjects: Array.from({ length: 1 + Math.floor(random() * 4) }, () => subject(random() < 0.5 ? namespace : undefined)),
  });
}
for (let i = 0; i < 1000; i++) {
  objects.push({
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: `crb-${i}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(clusterRoleNames) },
    subjects: Array.from({ length: 1 + Math.floor(random() * 4) }, () => subject()),
  });
}

const queries = Array.from({ length: 5000 }, () => {
  const [apiGroup, combined] = pick(RESOURCES);
  const [resource, subresource = ''] = combined.split('/');
  const roll = random();
  const user =
    roll < 0.5
      ? authenticatedUser(pick(USERS), some(GROUPS, 3))
      : authenticatedUser(serviceAccountUsername(pick(NAMESPACES), `sa-${Math.floor(random() * 20)}`));
  const request = resourceRequest({
    verb: pick(VERBS),
    apiGroup,
    resource,
    subresource,
    namespace: random() < 0.9 ? pick(NAMESPACES) : '',
  });
  return { user, request };
});

const { inventory } = Inventory.from(objects.map((object) => ({ object })));
let index;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const buildMs = await timeMedian(
  () => {
    index = new RbacIndex(inventory);
  },
  { runs },
);

/** The same answer as `can`, by scanning every binding (no subject or rule index). */
function naiveCan(user, request) {
  let allowed = false;
  for (const binding of index.bindings) {
    if (binding.kind === 'RoleBinding' && (request.namespace === '' || binding.namespace !== request.namespace)) continue;
    const applies = binding.subjects.some((s) => {
      if (s.kind === 'User') return s.name === user.name;
      if (s.kind === 'Group') return user.groups.includes(s.name);
      if (s.kind !== 'ServiceAccount') return false;
      const ns = subjectNamespace(s, binding);
      return ns !== undefined && ns !== '' && serviceAccountUsername(ns, s.name) === user.name;
    });
    if (!applies) continue;
    const resolved = index.resolveRole(binding);
    if ('role' in resolved && index.effectiveRules(resolved.role).some((r) => ruleAllows(r.rule, request))) allowed = true;
  }
  return allowed;
}

// The index must give the full scan's answers (checked on the first 1,000 queries).
let allowed = 0;
queries.forEach((q, i) => {
  const fast = index.can(q.user, q.request).allowed;
  if (i < 1000 && fast !== naiveCan(q.user, q.request)) throw new Error('index and full scan disagree');
  if (fast) allowed++;
});

const perQueryUs = async (fn, items) => ((await timeMedian(() => items.forEach(fn), { runs })) * 1000) / items.length;
const canUs = await perQueryUs((q) => index.can(q.user, q.request), queries);
const naiveUs = await perQueryUs((q) => naiveCan(q.user, q.request), queries.slice(0, 200));
const whoCanUs = await perQueryUs((q) => index.whoCan(q.request), queries.slice(0, 500));
const whoCanAnywhereUs = await perQueryUs((q) => index.whoCan(q.request, 'anywhere'), queries.slice(0, 100));

console.log(
  JSON.stringify({
    bench: 'rbac',
    roles: objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').length,
    bindings: index.bindings.length,
    build_ms: round(buildMs),
    can_us: round(canUs, 2),
    naive_can_us: round(naiveUs, 1),
    who_can_us: round(whoCanUs, 1),
    who_can_anywhere_us: round(whoCanAnywhereUs, 1),
    allowed_ratio: round(allowed / queries.length, 3),
  }),
);
