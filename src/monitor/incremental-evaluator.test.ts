import { describe, expect, it } from 'vitest';

import { activeChecks } from '../checks/catalog.js';
import { EMPTY_CONFIG } from '../checks/config.js';
import { defineCheck } from '../checks/define-check.js';
import { evaluate, type ActiveCheck } from '../checks/run-checks.js';
import type { Finding } from '../core/finding.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../k8s/types.js';
import { IncrementalEvaluator, type ObjectChange } from './incremental-evaluator.js';

/** A Cluster check with `reads`: defined namespaces that have no NetworkPolicy. */
const namespacesWithoutPolicy = defineCheck({
  id: 'test/namespace-without-policy',
  target: 'Cluster',
  reads: ['Namespace', 'networking.k8s.io/NetworkPolicy'],
  meta: { title: 't', area: 'network', defaultSeverity: 'medium', description: 'd', remediation: 'r' },
  messages: { none: 'Namespace {{name}} has no NetworkPolicy.' },
  run({ inventory }, ctx) {
    const covered = new Set(inventory.ofKind('NetworkPolicy').map((p) => p.ref.namespace));
    for (const ns of inventory.ofKind('Namespace', { group: '' })) {
      if (!covered.has(ns.ref.name)) ctx.report({ messageId: 'none', resource: ns, data: { name: ns.ref.name } });
    }
  },
});

/** An object-scoped check that reads its namespace's labels (so it declares `reads`). */
const strictNamespaceRoot = defineCheck({
  id: 'test/strict-namespace-root',
  target: 'PodSpec',
  reads: ['Namespace'],
  meta: { title: 't', area: 'pod-security', defaultSeverity: 'high', description: 'd', remediation: 'r' },
  messages: { root: 'Pod may run as root in strict namespace {{ns}}.' },
  run({ spec, workload, inventory, pointer }, ctx) {
    const ns = inventory.get('', 'Namespace', undefined, workload.ref.namespace ?? '');
    if (ns?.object.metadata.labels?.strict !== 'true') return;
    if (spec.securityContext?.runAsNonRoot !== true)
      ctx.report({ messageId: 'root', pointer: `${pointer}/securityContext`, data: { ns: ns.ref.name } });
  },
});

/** A Cluster check without `reads`: re-run on every change. Services that select no pod template. */
const orphanService = defineCheck({
  id: 'test/orphan-service',
  target: 'Cluster',
  meta: { title: 't', area: 'network', defaultSeverity: 'low', description: 'd', remediation: 'r' },
  messages: { orphan: 'Service {{name}} selects nothing.' },
  run({ inventory }, ctx) {
    const apps = new Set(inventory.podTemplates().map((t) => `${t.owner.ref.namespace ?? ''}/${t.template.metadata.labels?.app ?? ''}`));
    for (const svc of inventory.ofKind('Service')) {
      const app = (svc.object.spec as { selector?: { app?: string } } | undefined)?.selector?.app ?? '';
      if (!apps.has(`${svc.ref.namespace ?? ''}/${app}`)) ctx.report({ messageId: 'orphan', resource: svc, data: { name: svc.ref.name } });
    }
  },
});

const synthetic: ActiveCheck[] = [namespacesWithoutPolicy, strictNamespaceRoot, orphanService].map((check) => ({
  check: check,
  severity: check.meta.defaultSeverity,
  options: {},
}));

/** A small deterministic PRNG (mulberry32), so a failure is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomObject(random: () => number): KubeObject {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ns = pick(['a', 'b', 'c']);
  const app = pick(['web', 'api', 'db']);
  const image = pick(['nginx', 'nginx:latest', 'registry.example.com/app:1.0', 'registry.example.com/app@sha256:' + 'a'.repeat(64)]);
  const resources = random() < 0.5 ? {} : { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
  const spec = { ...(random() < 0.5 ? { securityContext: { runAsNonRoot: true } } : {}), containers: [{ name: 'c', image, resources }] };
  switch (pick(['Namespace', 'Deployment', 'ReplicaSet', 'Pod', 'Pod', 'Service', 'NetworkPolicy'])) {
    case 'Namespace':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: random() < 0.5 ? { strict: 'true' } : {} } };
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns },
        spec: { template: { metadata: { labels: { app } }, spec } },
      };
    case 'ReplicaSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${app}-rs`,
          namespace: ns,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, controller: true }],
        },
        spec: { template: { metadata: { labels: { app } }, spec } },
      };
    case 'Pod': {
      const owned = random() < 0.6;
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-${owned ? 'rs-' : ''}${Math.floor(random() * 3)}`,
          namespace: ns,
          labels: { app },
          ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-rs`, controller: true }] } : {}),
        },
        spec,
      };
    }
    case 'Service':
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: { type: pick(['ClusterIP', 'LoadBalancer']), selector: { app } },
      };
    default:
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny', namespace: ns },
        spec: { podSelector: {} },
      };
  }
}

/**
 * A richer cluster, aimed at the checks that look beyond their own object: pods whose labels move
 * them in and out of policy selection, policies added and removed (with ipBlock rules, invalid ones),
 * namespace labels (Pod Security levels, mesh injection), RBAC roles and bindings (service accounts,
 * resourceNames, cluster-admin), Secrets and the pods that use them, a controller of a kind no check
 * knows (owning ReplicaSets), quotas, the network plugin's DaemonSet, nodes and pod metrics.
 */
function randomClusterObject(random: () => number): KubeObject {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ns = pick(['a', 'b', 'c', 'kube-system']);
  const app = pick(['web', 'api', 'postgres']);
  const labels = (): Record<string, string> => ({
    ...(random() < 0.8 ? { app } : {}),
    ...(random() < 0.5 ? { role: pick(['front', 'back']) } : {}),
    ...(random() < 0.15 ? { 'vigil.dev/sensitive': pick(['true', 'false']) } : {}),
    ...(random() < 0.1 ? { 'security-tier': 'high' } : {}),
  });
  const spec = (): Record<string, unknown> => ({
    ...(random() < 0.3 ? { serviceAccountName: pick(['default', 'runner']) } : {}),
    ...(random() < 0.1 ? { hostNetwork: true } : {}),
    ...(random() < 0.5 ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } : {}),
    ...(random() < 0.3 ? { volumes: [{ name: 's', secret: { secretName: pick(['db', 'tls']) } }] } : {}),
    containers: [
      {
        name: 'c',
        image: pick(['nginx:latest', 'registry.example.com/app:1.0', 'postgres:16']),
        ports: [{ name: 'http', containerPort: pick([80, 8080]) }],
        ...(random() < 0.5 ? { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } : {}),
        ...(random() < 0.5 ? { resources: { requests: { cpu: '100m', memory: '64Mi' } } } : {}),
      },
    ],
  });
  const rbac = 'rbac.authorization.k8s.io/v1';
  const rules = (): unknown[] =>
    pick([
      [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [pick(['db', 'tls'])] }],
      [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
      [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    ]);
  const subjects = (): unknown[] =>
    pick([
      [{ kind: 'ServiceAccount', name: pick(['default', 'runner']), namespace: ns }],
      [{ kind: 'User', name: 'jane' }],
      [{ kind: 'Group', name: 'system:unauthenticated' }],
    ]);
  switch (
    pick([
      'Namespace',
      'Namespace',
      'Deployment',
      'ReplicaSet',
      'Pod',
      'Pod',
      'Pod',
      'NetworkPolicy',
      'NetworkPolicy',
      'Role',
      'ClusterRole',
      'RoleBinding',
      'ClusterRoleBinding',
      'ServiceAccount',
      'Secret',
      'AppController',
      'ResourceQuota',
      'DaemonSet',
      'Node',
      'PodMetrics',
      'StaticPod',
    ])
  ) {
    case 'Namespace':
      return {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns,
          labels: {
            ...(random() < 0.5 ? { 'pod-security.kubernetes.io/enforce': pick(['baseline', 'restricted', 'privileged', 'strict']) } : {}),
            ...(random() < 0.3 ? { 'istio-injection': 'enabled' } : {}),
            ...(random() < 0.3 ? { strict: 'true' } : {}),
            ...(random() < 0.3 ? { 'security-tier': 'high' } : {}),
          },
        },
      };
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns },
        spec: { template: { metadata: { labels: labels() }, spec: spec() } },
      };
    case 'ReplicaSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${app}-rs`,
          namespace: ns,
          ownerReferences: [
            random() < 0.7
              ? { apiVersion: 'apps/v1', kind: 'Deployment', name: app, controller: true }
              : { apiVersion: 'example.com/v1', kind: 'AppController', name: app, controller: true },
          ],
        },
        spec: { template: { metadata: { labels: labels() }, spec: spec() } },
      };
    case 'Pod': {
      const owned = random() < 0.5;
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-${owned ? 'rs-' : ''}${Math.floor(random() * 3)}`,
          namespace: ns,
          labels: labels(),
          ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-rs`, controller: true }] } : {}),
        },
        spec: spec(),
        ...(random() < 0.1 ? { status: { phase: 'Succeeded' } } : { status: { podIP: `10.0.0.${Math.floor(random() * 4)}` } }),
      };
    }
    case 'NetworkPolicy': {
      const types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress'], undefined]);
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: pick(['deny', 'allow-web', 'open']), namespace: ns },
        spec: {
          podSelector: pick([
            {},
            { matchLabels: { app } },
            { matchLabels: { role: 'back' } },
            { matchExpressions: [{ key: 'app', operator: 'In', values: [app] }] },
          ]),
          ...(types === undefined ? {} : { policyTypes: types }),
          ...(random() < 0.5
            ? {
                ingress: [
                  pick([
                    {},
                    { from: [{ ipBlock: { cidr: pick(['0.0.0.0/0', '10.0.0.0/8']) } }], ports: [{ port: 'http' }] },
                    { from: [{ podSelector: { matchLabels: { role: 'front' } } }] },
                    { from: [{ ipBlock: { cidr: 'not-a-cidr' } }] },
                  ]),
                ],
              }
            : {}),
        },
      };
    }
    case 'Role':
      return { apiVersion: rbac, kind: 'Role', metadata: { name: pick(['reader', 'admin']), namespace: ns }, rules: rules() };
    case 'ClusterRole':
      return { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: pick(['reader', 'cluster-admin']) }, rules: rules() };
    case 'RoleBinding':
      return {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: pick(['rb1', 'rb2']), namespace: ns },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: pick(['Role', 'ClusterRole']),
          name: pick(['reader', 'admin', 'cluster-admin']),
        },
        subjects: subjects(),
      };
    case 'ClusterRoleBinding':
      return {
        apiVersion: rbac,
        kind: 'ClusterRoleBinding',
        metadata: { name: pick(['crb1', 'crb2']) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(['reader', 'cluster-admin']) },
        subjects: subjects(),
      };
    case 'ServiceAccount':
      return {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: pick(['default', 'runner']), namespace: ns },
        ...(random() < 0.5 ? { automountServiceAccountToken: false } : {}),
      };
    case 'Secret':
      return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: pick(['db', 'tls']), namespace: ns } };
    case 'AppController':
      // A controller of a kind no check knows: whether what it controls stands on its own depends on it.
      return { apiVersion: 'example.com/v1', kind: 'AppController', metadata: { name: app, namespace: ns }, spec: {} };
    case 'ResourceQuota':
      return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: ns }, spec: { hard: { pods: '10' } } };
    case 'DaemonSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: pick(['kube-flannel-ds', 'calico-node']), namespace: 'kube-system' },
        spec: { template: { metadata: { labels: { app: 'cni' } }, spec: { containers: [{ name: 'c', image: 'flannel/flannel:v0.25' }] } } },
      };
    case 'Node':
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: pick(['n1', 'n2']), labels: random() < 0.5 ? { 'security-tier': 'high' } : {} },
      };
    case 'StaticPod': {
      // etcd and the API server as kubeadm runs them: etcd must not trust the API server's client CA.
      const component = pick(['etcd', 'kube-apiserver']);
      const flags =
        component === 'etcd'
          ? ['etcd', '--cert-file=/e.crt', `--trusted-ca-file=${pick(['/ca.crt', '/etcd-ca.crt'])}`]
          : ['kube-apiserver', `--client-ca-file=${pick(['/ca.crt', '/other.crt'])}`];
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${component}-n1`, namespace: pick(['kube-system', 'kube-system', 'a']), labels: { component } },
        spec: { containers: [{ name: component, image: `registry.k8s.io/${component}:1`, command: flags }] },
      };
    }
    default:
      return {
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: { name: `${app}-${Math.floor(random() * 3)}`, namespace: ns },
        containers: [{ name: 'c', usage: { cpu: '2', memory: '2Gi' } }],
      };
  }
}

/**
 * Apply random changes one at a time (or a few at once) and compare with a full evaluation after each.
 * Yields to the event loop now and then: a long synchronous stretch starves the test runner's RPC.
 */
async function runRandomChanges(
  seed: number,
  steps: number,
  generate: (random: () => number) => KubeObject,
  checks: readonly ActiveCheck[],
  batch = 1,
): Promise<void> {
  const random = prng(seed);
  const inventory = new Inventory();
  const evaluator = new IncrementalEvaluator(inventory, checks);
  const tracked = new Map<string, Finding>();
  for (const f of evaluator.full().opened) tracked.set(f.fingerprint, f);
  for (let step = 0; step < steps; step++) {
    if (step % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    const changes = new Map<string, ObjectChange>();
    const size = 1 + Math.floor(random() * batch);
    for (let i = 0; i < size; i++) {
      const object = generate(random);
      const key = inventory.keyOf(object);
      const before = inventory.entriesOf(key)[0]?.object;
      const first = changes.get(key)?.before ?? (changes.has(key) ? undefined : before);
      if (before !== undefined && random() < 0.35) {
        inventory.remove(key);
        changes.set(key, { key, apiVersion: object.apiVersion, kind: object.kind, ...(first === undefined ? {} : { before: first }) });
      } else {
        inventory.upsert({ object });
        changes.set(key, {
          key,
          apiVersion: object.apiVersion,
          kind: object.kind,
          ...(first === undefined ? {} : { before: first }),
          after: object,
        });
      }
    }
    const delta = evaluator.apply([...changes.values()]);
    expect(delta.errors, `errors at step ${step}`).toEqual([]);
    for (const f of delta.opened) tracked.set(f.fingerprint, f);
    for (const f of delta.kept) tracked.set(f.fingerprint, f);
    for (const f of delta.resolved) tracked.delete(f.fingerprint);
    const expected = summary(evaluate(inventory, checks).findings);
    expect(summary(evaluator.current()), `seed ${seed} step ${step}`).toEqual(expected);
    expect(summary([...tracked.values()]), `deltas at seed ${seed} step ${step}`).toEqual(expected);
    expect(tallyOf(evaluator), `tallies at step ${step}`).toEqual(tallyOfFindings(evaluator.current()));
  }
}

/** The evaluator's running counts, in a comparable form. */
function tallyOf(evaluator: IncrementalEvaluator): string[] {
  const { counts, suppressed } = evaluator.tallies();
  return [...counts.map((c) => `${c.severity} ${c.area} ${c.namespace} ${c.n}`), `suppressed ${suppressed}`].sort();
}

/** The same counts, made from the findings. */
function tallyOfFindings(findings: readonly Finding[]): string[] {
  const counts = new Map<string, number>();
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppression !== undefined) suppressed++;
    else {
      const key = `${f.severity} ${f.area} ${f.resource.namespace ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...[...counts].map(([k, n]) => `${k} ${n}`), `suppressed ${suppressed}`].sort();
}

const summary = (findings: readonly Finding[]): string[] =>
  [...new Set(findings.map((f) => `${f.fingerprint} ${f.severity} ${f.message}`))].sort();

describe('IncrementalEvaluator', () => {
  const checks = [...activeChecks(EMPTY_CONFIG), ...synthetic];

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`gives exactly what a full evaluation gives after every change (seed ${seed})`, async () => {
      await runRandomChanges(seed, 150, randomObject, checks);
    });
  }

  for (const seed of [11, 12, 13, 14]) {
    it(`stays exact through labels, policies, namespace labels, RBAC and controllers changing (seed ${seed})`, async () => {
      await runRandomChanges(seed, 150, randomClusterObject, checks);
    });
  }

  it('stays exact when changes come in batches', async () => {
    await runRandomChanges(21, 100, randomClusterObject, checks, 6);
  });

  it('re-evaluates only the namespace a pod, policy or namespace label change lands in, exactly', () => {
    const inventory = new Inventory();
    const pod = (ns: string, name: string, app: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app } },
      spec: { containers: [{ name: 'c', image: 'registry.example.com/app:1.0' }] },
    });
    const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels },
    });
    for (const ns of ['a', 'b', 'c']) {
      inventory.add({ object: namespace(ns) });
      for (let i = 0; i < 4; i++) inventory.add({ object: pod(ns, `p${i}`, i % 2 === 0 ? 'web' : 'api') });
    }
    const catalog = activeChecks(EMPTY_CONFIG);
    const evaluator = new IncrementalEvaluator(inventory, catalog);
    evaluator.full();
    const rbac = 'rbac.authorization.k8s.io/v1';
    const policy: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'a' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
    };
    const role: KubeObject = {
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: 'reader', namespace: 'b' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
    };
    const binding: KubeObject = {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: 'reader', namespace: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'b' }],
    };
    const admin: KubeObject = {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'jane' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'jane' }],
    };
    const steps: { what: string; object: KubeObject; remove?: true; local?: string; opens?: string[]; resolves?: string[] }[] = [
      {
        what: 'policy added',
        object: policy,
        local: 'a',
        resolves: ['network/unisolated-ingress a/p0', 'network/unisolated-ingress a/p2'],
      },
      { what: 'pod moves into selection', object: pod('a', 'p1', 'web'), local: 'a', resolves: ['network/unisolated-ingress a/p1'] },
      { what: 'pod moves out of selection', object: pod('a', 'p1', 'api'), local: 'a', opens: ['network/unisolated-ingress a/p1'] },
      {
        what: 'namespace enforces restricted',
        object: namespace('a', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
        local: 'a',
        opens: ['pod-security/enforce-violation a/p0'],
      },
      {
        what: 'namespace enforces baseline',
        object: namespace('a', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
        local: 'a',
        resolves: ['pod-security/enforce-violation a/p0'],
      },
      { what: 'policy removed', object: policy, remove: true, local: 'a', opens: ['network/unisolated-ingress a/p0'] },
      { what: 'role added', object: role },
      { what: 'role bound', object: binding, opens: ['rbac/secrets-read b/reader', 'rbac/default-service-account-bound b/reader'] },
      { what: 'cluster-admin bound', object: admin, opens: ['rbac/cluster-admin-binding /jane'] },
      { what: 'cluster-admin unbound', object: admin, remove: true, resolves: ['rbac/cluster-admin-binding /jane'] },
      { what: 'role unbound', object: binding, remove: true, resolves: ['rbac/secrets-read b/reader'] },
    ];
    const name = (f: Finding): string => `${f.checkId} ${f.resource.namespace ?? ''}/${f.resource.name}`;
    for (const step of steps) {
      const key = inventory.keyOf(step.object);
      const before = inventory.entriesOf(key)[0]?.object;
      if (step.remove === true) inventory.remove(key);
      else inventory.upsert({ object: step.object });
      const delta = evaluator.apply([
        {
          key,
          apiVersion: step.object.apiVersion,
          kind: step.object.kind,
          ...(before === undefined ? {} : { before }),
          ...(step.remove === true ? {} : { after: step.object }),
        },
      ]);
      expect(summary(evaluator.current()), step.what).toEqual(summary(evaluate(inventory, catalog).findings));
      for (const expected of step.opens ?? []) expect(delta.opened.map(name), step.what).toContain(expected);
      for (const expected of step.resolves ?? []) expect(delta.resolved.map(name), step.what).toContain(expected);
      if (step.local !== undefined) {
        // Nothing outside the namespace was re-evaluated (and so re-recorded in the store).
        const namespaces = new Set([...delta.opened, ...delta.kept, ...delta.resolved].map((f) => f.resource.namespace ?? f.resource.name));
        expect([...namespaces], step.what).toEqual([step.local]);
      }
    }
  });

  it('re-runs only the changed object for object-scoped checks', () => {
    const inventory = new Inventory();
    for (let i = 0; i < 50; i++)
      inventory.add({
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${i}`, namespace: 'a' },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      });
    const evaluator = new IncrementalEvaluator(inventory, activeChecks(EMPTY_CONFIG));
    evaluator.full();
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p7', namespace: 'a' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
    };
    const before = inventory.get('', 'Pod', 'a', 'p7')?.object;
    inventory.upsert({ object });
    const delta = evaluator.apply([
      { key: inventory.keyOf(object), apiVersion: 'v1', kind: 'Pod', ...(before === undefined ? {} : { before }), after: object },
    ]);
    expect(delta.subjects).toBe(1);
    expect(delta.resolved.map((f) => f.checkId)).toContain('images/latest-tag');
    expect(delta.resolved.every((f) => f.resource.name === 'p7')).toBe(true);
  });
});
