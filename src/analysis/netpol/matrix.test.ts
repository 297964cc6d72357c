import { describe, expect, it } from 'vitest';

import { generateCluster, makePolicy, rng } from '../../../bench/netpol-cluster.mjs';
import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import { allowedConnections, type Endpoint } from './evaluate.js';
import { formatIp, parseCidr, type IpAddress } from './ip.js';
import { ReachabilityMatrix } from './matrix.js';
import { buildNetworkModel, type NetworkModel } from './model.js';
import { compilePolicy } from './policy.js';
import { loadSuite, modelOfCase, SUITES } from './test-support/conformance-data.js';

/** Addresses that stand for every external class of a matrix: the start and end of each range. */
function probeAddresses(matrix: ReachabilityMatrix): IpAddress[] {
  return matrix.externalClasses().flatMap((c) =>
    c.ranges.flatMap((r) => [
      { family: r.family, value: r.start },
      { family: r.family, value: r.end },
    ]),
  );
}

/** Cells where the class matrix and the direct evaluator disagree. */
function disagreements(model: NetworkModel, matrix: ReachabilityMatrix, addresses: readonly IpAddress[]): string[] {
  const wrong: string[] = [];
  const pods = matrix.pods;
  for (const a of pods) {
    for (const b of pods) {
      const direct = allowedConnections(model, { kind: 'pod', pod: a }, { kind: 'pod', pod: b });
      const fromMatrix = matrix.podConnections(a, b);
      if (direct === undefined || fromMatrix?.equals(direct) !== true)
        wrong.push(`${a.id} -> ${b.id}: ${String(fromMatrix)} vs ${String(direct)}`);
    }
    for (const address of addresses) {
      const ext: Endpoint = { kind: 'external', address };
      const pod: Endpoint = { kind: 'pod', pod: a };
      if (matrix.toAddress(a, address)?.equals(allowedConnections(model, pod, ext) as never) !== true)
        wrong.push(`${a.id} -> ${formatIp(address)}`);
      if (matrix.fromAddress(address, a)?.equals(allowedConnections(model, ext, pod) as never) !== true)
        wrong.push(`${formatIp(address)} -> ${a.id}`);
    }
  }
  return wrong.slice(0, 10);
}

/** Pod pairs where a matrix disagrees with the direct evaluator on another model of the same pods. */
function disagreementsAgainst(model: NetworkModel, matrix: ReachabilityMatrix): string[] {
  const wrong: string[] = [];
  for (const a of matrix.pods) {
    for (const b of matrix.pods) {
      const fa = model.podById(a.id) as NonNullable<ReturnType<NetworkModel['podById']>>;
      const fb = model.podById(b.id) as NonNullable<ReturnType<NetworkModel['podById']>>;
      const direct = allowedConnections(model, { kind: 'pod', pod: fa }, { kind: 'pod', pod: fb });
      if (direct === undefined || matrix.podConnections(a, b)?.equals(direct) !== true) wrong.push(`${a.id} -> ${b.id}`);
    }
  }
  return wrong;
}

describe('ReachabilityMatrix on the conformance scenarios', () => {
  for (const suite of SUITES) {
    it(`agrees with the direct evaluator on every pair of every ${suite} scenario`, () => {
      for (const c of loadSuite(suite)) {
        const { model } = modelOfCase(c, 'ordinary');
        const matrix = ReachabilityMatrix.build(model);
        expect({ scenario: c.name, wrong: disagreements(model, matrix, probeAddresses(matrix)) }).toEqual({ scenario: c.name, wrong: [] });
      }
    });
  }
});

function modelOf(objects: readonly KubeObject[]): NetworkModel {
  const { inventory } = Inventory.from(objects.map((object) => ({ object })));
  return buildNetworkModel(inventory);
}

describe('ReachabilityMatrix equivalence classes', () => {
  it('groups replicas and ignores labels no policy uses', () => {
    const { objects } = generateCluster({ namespaces: 3, appsPerNamespace: 6, replicas: 4, policies: 18, seed: 7 });
    const matrix = ReachabilityMatrix.build(modelOf(objects));
    const stats = matrix.stats();
    expect(stats.pods).toBe(3 * 6 * 4 + 2);
    // Every pod has a unique pod-name label and address, yet replicas share classes.
    expect(stats.podClasses).toBeLessThan(stats.pods / 2);
  });

  it('counts allowed pod pairs from the class matrix exactly', () => {
    const { objects } = generateCluster({ namespaces: 3, appsPerNamespace: 5, replicas: 3, policies: 15, seed: 3 });
    const model = modelOf(objects);
    const matrix = ReachabilityMatrix.build(model);
    let direct = 0;
    for (const a of matrix.pods)
      for (const b of matrix.pods)
        if (a !== b && !(allowedConnections(model, { kind: 'pod', pod: a }, { kind: 'pod', pod: b })?.isEmpty ?? true)) direct++;
    expect(matrix.countAllowedPodPairs()).toBe(direct);
  });
});

describe('ReachabilityMatrix incremental updates', () => {
  const cases = [1, 2, 3, 4, 5];
  for (const seed of cases) {
    it(`stays equal to a full rebuild through 12 policy changes (seed ${seed})`, () => {
      const options = { namespaces: 4, appsPerNamespace: 6, replicas: 3, policies: 28, seed };
      const { objects } = generateCluster(options);
      let current = objects;
      const matrix = ReachabilityMatrix.build(modelOf(current));
      const random = rng(seed * 7919);
      let splits = 0;
      for (let step = 0; step < 12; step++) {
        const policies = current.filter((o) => o.kind === 'NetworkPolicy');
        const choice = random();
        const target = policies[Math.floor(random() * policies.length)] as KubeObject;
        const ns = target.metadata.namespace as string;
        const n = Number(ns.slice(-2));
        if (choice < 0.2) {
          current = current.filter((o) => o !== target);
          splits += matrix.removePolicy(`${ns}/${target.metadata.name}`).splitClasses;
        } else {
          // Replace (or, one time in five, add) a policy with a freshly drawn one.
          const adding = choice > 0.8;
          const name = adding ? `added-${step}` : target.metadata.name;
          const next = makePolicy(random, ns, n, 2 + Math.floor(random() * 5), options.appsPerNamespace, options.namespaces, name);
          current = adding ? [...current, next] : current.map((o) => (o === target ? next : o));
          splits += matrix.applyPolicy(compilePolicy(next, ns)).splitClasses;
        }
        const fresh = modelOf(current);
        const rebuilt = ReachabilityMatrix.build(fresh);
        const addresses = [...probeAddresses(rebuilt), ...probeAddresses(matrix)];
        // Compare the incremental matrix with the direct evaluator on the new state (and with a rebuild).
        const wrong: string[] = [];
        for (const a of matrix.pods) {
          for (const b of matrix.pods) {
            const fa = fresh.podById(a.id);
            const fb = fresh.podById(b.id);
            if (fa === undefined || fb === undefined) throw new Error('pod lost');
            const expected = rebuilt.podConnections(fa, fb);
            if (expected === undefined || matrix.podConnections(a, b)?.equals(expected) !== true)
              wrong.push(`step ${step}: ${a.id} -> ${b.id}`);
          }
          for (const address of addresses) {
            const fa = fresh.podById(a.id);
            if (fa === undefined) throw new Error('pod lost');
            if (matrix.toAddress(a, address)?.equals(rebuilt.toAddress(fa, address) as never) !== true)
              wrong.push(`step ${step}: ${a.id} -> ${formatIp(address)}`);
            if (matrix.fromAddress(address, a)?.equals(rebuilt.fromAddress(address, fa) as never) !== true)
              wrong.push(`step ${step}: ${formatIp(address)} -> ${a.id}`);
          }
        }
        expect(wrong.slice(0, 5)).toEqual([]);
        expect(disagreements(fresh, rebuilt, probeAddresses(rebuilt))).toEqual([]);
      }
      // The sequence must have exercised the splitting path, not only recomputation.
      expect(splits).toBeGreaterThan(0);
    });
  }

  it('recomputes a class split off one the old policy selected, even when the new policy does not select it', () => {
    const pod = (name: string, labels: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels },
      spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
    const objects: KubeObject[] = [
      pod('web-1', { app: 'web', version: 'v1' }),
      pod('web-2', { app: 'web', version: 'v2' }),
      pod('api-1', { app: 'api' }),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [] },
      },
    ];
    const matrix = ReachabilityMatrix.build(modelOf(objects));
    // The new p selects api, and its peer tells web's two versions apart.
    const next: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { version: 'v2' } } }] }] },
    };
    const stats = matrix.applyPolicy(compilePolicy(next, 'shop'));
    expect(stats.splitClasses).toBe(1);
    const fresh = modelOf(objects.map((o) => (o.kind === 'NetworkPolicy' ? next : o)));
    expect(disagreementsAgainst(fresh, matrix)).toEqual([]);
  });

  it('splits an external class when a new ipBlock cuts it', () => {
    const { objects } = generateCluster({ namespaces: 2, appsPerNamespace: 3, replicas: 2, policies: 4, seed: 9 });
    const matrix = ReachabilityMatrix.build(modelOf(objects));
    const before = matrix.externalClasses().length;
    const policy: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-office', namespace: 'team-00' },
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }] },
    };
    const stats = matrix.applyPolicy(compilePolicy(policy, 'team-00'));
    expect(stats.splitClasses).toBeGreaterThan(0);
    expect(matrix.externalClasses().length).toBeGreaterThan(before);
    const pod = matrix.pods.find((p) => p.namespace === 'team-00') as NonNullable<(typeof matrix.pods)[number]>;
    const office = parseCidr('203.0.113.5/32') as NonNullable<ReturnType<typeof parseCidr>>;
    const excepted = parseCidr('203.0.113.200/32') as NonNullable<ReturnType<typeof parseCidr>>;
    expect(matrix.fromAddress({ family: 4, value: office.start }, pod)?.isAll).toBe(true);
    expect(matrix.fromAddress({ family: 4, value: excepted.start }, pod)?.isEmpty).toBe(true);
  });
});
