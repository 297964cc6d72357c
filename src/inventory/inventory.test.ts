import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../k8s/types.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { Inventory } from './inventory.js';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
  ...extra,
});

const from = (objects: KubeObject[]) => Inventory.from(objects.map((object) => ({ object })));

describe('Inventory', () => {
  it('defaults namespaces of namespaced kinds and drops them from cluster-scoped ones', () => {
    const { inventory } = from([
      obj('v1', 'ConfigMap', 'a'),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r', 'ignored'),
      obj('v1', 'Secret', 's', 'prod'),
    ]);
    expect(inventory.all().map((e) => e.ref.namespace)).toEqual(['default', undefined, 'prod']);
    const custom = Inventory.from([{ object: obj('v1', 'ConfigMap', 'a') }], { defaultNamespace: 'team' }).inventory;
    expect(custom.all()[0]?.ref.namespace).toBe('team');
  });

  it('learns the scope of custom resources from their CRDs, whatever the order', () => {
    const crd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'clusterissuers.example.com', undefined, {
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Thing' } },
    });
    const { inventory } = from([obj('example.com/v1', 'Thing', 't', 'x'), crd, obj('example.com/v1', 'Other', 'o')]);
    expect(inventory.ofKind('Thing')[0]?.ref.namespace).toBeUndefined();
    expect(inventory.ofKind('Other')[0]?.ref.namespace).toBe('default');
  });

  it('indexes by kind, group, namespace and identity', () => {
    const { inventory } = from([
      obj('v1', 'Service', 'a', 'x'),
      obj('v1', 'Service', 'b', 'y'),
      obj('serving.knative.dev/v1', 'Service', 'k', 'x'),
    ]);
    expect(inventory.ofKind('Service').map((e) => e.ref.name)).toEqual(['a', 'b', 'k']);
    expect(inventory.ofKind('Service', { group: '' }).map((e) => e.ref.name)).toEqual(['a', 'b']);
    expect(inventory.ofKind('Service', { namespace: 'x' }).map((e) => e.ref.name)).toEqual(['a', 'k']);
    expect(inventory.get('', 'Service', 'y', 'b')?.ref.name).toBe('b');
    expect(inventory.get('', 'Service', 'x', 'b')).toBeUndefined();
  });

  it('knows defined and implied namespaces, with labels', () => {
    const { inventory } = from([
      obj('v1', 'Namespace', 'prod', undefined, { metadata: { name: 'prod', labels: { env: 'prod' } } }),
      obj('v1', 'Pod', 'p', 'dev'),
    ]);
    expect(inventory.namespaces()).toEqual([
      { name: 'dev', labels: {}, implied: true },
      expect.objectContaining({ name: 'prod', labels: { env: 'prod' }, implied: false }),
    ]);
  });

  it('gives one pod template per workload, leaving controlled pods to their controller', () => {
    const deployment = obj('apps/v1', 'Deployment', 'web', 'x', { spec: { template: { spec: { containers: [] } } } });
    const rs = obj('apps/v1', 'ReplicaSet', 'web-1', 'x', {
      metadata: {
        name: 'web-1',
        namespace: 'x',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }],
      },
      spec: { template: { spec: { containers: [] } } },
    });
    const pod = obj('v1', 'Pod', 'web-1-abc', 'x', {
      metadata: {
        name: 'web-1-abc',
        namespace: 'x',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', controller: true }],
      },
      spec: { containers: [] },
    });
    const orphan = obj('v1', 'Pod', 'orphan', 'x', {
      metadata: {
        name: 'orphan',
        namespace: 'x',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', controller: true }],
      },
      spec: { containers: [] },
    });
    const { inventory } = from([deployment, rs, pod, orphan]);
    expect(inventory.podTemplates().map((t) => t.owner.ref.name)).toEqual(['web', 'orphan']);
  });

  it('supports upsert and remove for watch events, refreshing derived views', () => {
    const inventory = new Inventory();
    inventory.add({ object: obj('v1', 'Pod', 'a', 'x', { spec: { containers: [] } }) });
    expect(inventory.podTemplates()).toHaveLength(1);
    const key = inventory.all()[0]!.key;
    inventory.upsert({ object: obj('v1', 'Pod', 'a', 'x', { spec: { containers: [{ name: 'c' }] } }) });
    expect(inventory.size).toBe(1);
    expect(inventory.podTemplates()[0]?.template.spec.containers).toHaveLength(1);
    expect(inventory.remove(key)).toHaveLength(1);
    expect(inventory.podTemplates()).toEqual([]);
    expect(inventory.namespaces()).toEqual([]);
  });

  it('keeps duplicates, noting them once per file (or each one inside a file)', () => {
    const a = readManifestText(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n',
      'a.yaml',
    );
    const b = readManifestText(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n',
      'b.yaml',
    );
    const { inventory, problems } = Inventory.from([...a.objects, ...b.objects]);
    expect(inventory.size).toBe(5);
    expect(problems.map((p) => [p.level, p.location.file, p.message])).toEqual([
      ['warning', 'b.yaml', 'ConfigMap default/d is defined twice in this file (also at line 5); all copies are checked'],
      [
        'info',
        'b.yaml',
        '2 objects of this file are also defined in other files (ConfigMap default/c in a.yaml, …); all copies are checked',
      ],
    ]);
  });

  it('keeps its namespace views (objects, pod templates, namespaces) equal to the whole through changes', () => {
    const inventory = new Inventory();
    const pod = (ns: string, name: string, owner?: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, controller: true }] }),
      },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    const rs = (ns: string, name: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: ns },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const steps: (() => void)[] = [
      () => inventory.add({ object: pod('a', 'p1', 'web') }),
      () => inventory.add({ object: pod('b', 'p2') }),
      () => inventory.add({ object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } } }),
      () => inventory.add({ object: rs('a', 'web') }),
      () => inventory.add({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } }),
      () => inventory.remove(inventory.keyOf(rs('a', 'web'))),
      () => inventory.upsert({ object: pod('b', 'p2', 'web') }),
      () => inventory.remove(inventory.keyOf(pod('b', 'p2'))),
    ];
    for (const step of steps) {
      step();
      const names = inventory.namespaces().map((n) => n.name);
      for (const ns of [...names, 'nowhere']) {
        expect(inventory.inNamespace(ns)).toEqual(inventory.all().filter((e) => e.ref.namespace === ns));
        expect(inventory.podTemplatesIn(ns)).toEqual(inventory.podTemplates().filter((t) => t.owner.ref.namespace === ns));
      }
      const implied = new Set(inventory.all().flatMap((e) => (e.ref.namespace === undefined ? [] : [e.ref.namespace])));
      for (const ns of inventory.ofKind('Namespace')) implied.add(ns.ref.name);
      expect(names).toEqual([...implied].sort());
    }
    expect(inventory.namespaces().map((n) => n.name)).toEqual(['a', 'c', 'default']);
  });
});
