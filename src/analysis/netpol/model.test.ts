import { describe, expect, it } from 'vitest';

import { generateCluster } from '../../../bench/netpol-cluster.mjs';
import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import { buildNetworkModel, networkModelOf, type NetworkModel } from './model.js';

/** What the model says about one namespace, in model order. */
function partOf(model: NetworkModel, namespace: string): unknown {
  return {
    pods: model.pods
      .filter((p) => p.namespace === namespace)
      .map((p) => ({ id: p.id, kind: p.kind, owner: p.owner.key, labels: p.labels, ports: p.ports, out: p.outOfScope })),
    policies: (model.policiesByNamespace.get(namespace) ?? []).map((p) => p.id),
    rejected: model.rejectedPolicies.filter((p) => p.namespace === namespace).map((p) => p.id),
    labels: model.namespaceLabels(namespace),
  };
}

describe('partial network models (one namespace)', () => {
  const { objects, policies } = generateCluster({ namespaces: 6, appsPerNamespace: 4, replicas: 2, policies: 30, seed: 7 });
  const extra: KubeObject[] = [
    // A workload without pods is represented by itself; a pod of a present ReplicaSet by the ReplicaSet's owner.
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lonely', namespace: 'ns-1' },
      spec: { template: { metadata: { labels: { app: 'lonely' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad', namespace: 'ns-2' }, spec: { podSelector: 7 } },
  ];
  const { inventory } = Inventory.from([...objects, ...policies, ...extra].map((object) => ({ object })));

  it('holds exactly the full model’s pods and policies of its namespaces', () => {
    const full = buildNetworkModel(inventory);
    for (const { name } of inventory.namespaces()) {
      const part = buildNetworkModel(inventory, { namespaces: new Set([name]) });
      expect(partOf(part, name), name).toEqual(partOf(full, name));
      expect(part.pods.every((p) => p.namespace === name)).toBe(true);
    }
    const two = buildNetworkModel(inventory, { namespaces: new Set(['ns-1', 'ns-2']) });
    for (const name of ['ns-1', 'ns-2']) expect(partOf(two, name)).toEqual(partOf(full, name));
  });

  it('is cached per Inventory state and set of namespaces', () => {
    const inv = new Inventory();
    for (const object of [...objects, ...policies]) inv.add({ object });
    const a = networkModelOf(inv, new Set(['ns-1']));
    expect(networkModelOf(inv, new Set(['ns-1']))).toBe(a);
    expect(networkModelOf(inv)).not.toBe(a);
    inv.upsert({ object: extra[0] as KubeObject });
    const b = networkModelOf(inv, new Set(['ns-1']));
    expect(b).not.toBe(a);
    expect(b.pods.map((p) => p.id)).toContain('ns-1/lonely');
  });
});
