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

const summary = (findings: readonly Finding[]): string[] =>
  [...new Set(findings.map((f) => `${f.fingerprint} ${f.severity} ${f.message}`))].sort();

describe('IncrementalEvaluator', () => {
  const checks = [...activeChecks(EMPTY_CONFIG), ...synthetic];

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`gives exactly what a full evaluation gives after every change (seed ${seed})`, () => {
      const random = prng(seed);
      const inventory = new Inventory();
      const evaluator = new IncrementalEvaluator(inventory, checks);
      const tracked = new Map<string, Finding>();
      for (const f of evaluator.full().opened) tracked.set(f.fingerprint, f);
      for (let step = 0; step < 150; step++) {
        const object = randomObject(random);
        const key = inventory.keyOf(object);
        const before = inventory.all().find((e) => e.key === key)?.object;
        let change: ObjectChange;
        if (before !== undefined && random() < 0.35) {
          inventory.remove(key);
          change = { key, apiVersion: object.apiVersion, kind: object.kind, before };
        } else {
          inventory.upsert({ object });
          change = { key, apiVersion: object.apiVersion, kind: object.kind, ...(before === undefined ? {} : { before }), after: object };
        }
        const delta = evaluator.apply([change]);
        for (const f of delta.opened) tracked.set(f.fingerprint, f);
        for (const f of delta.kept) tracked.set(f.fingerprint, f);
        for (const f of delta.resolved) tracked.delete(f.fingerprint);
        const expected = summary(evaluate(inventory, checks).findings);
        expect(summary(evaluator.current()), `step ${step}`).toEqual(expected);
        expect(summary([...tracked.values()]), `deltas at step ${step}`).toEqual(expected);
      }
    });
  }

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
