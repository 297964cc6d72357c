/**
 * netpol-analyzer's scenarios again, this time from the upstream manifests themselves
 * (../shared/conformance/network-policy/netpol-analyzer/tests/<dir>), read by Vigil's loader: files,
 * folders, Lists, workloads turned into representative pods, namespaces defaulted. Every pair of
 * workloads and every outside address range must get the answer of upstream's connectivity table.
 */
import { existsSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { Inventory } from '../../inventory/inventory.js';
import { loadInputs } from '../../sources/load-inputs.js';
import { ConnectionSet } from './connection-set.js';
import { allowedConnections, type Endpoint } from './evaluate.js';
import { parseIp, type IpAddress } from './ip.js';
import { buildNetworkModel, type ModelPod, type NetworkModel } from './model.js';
import { conformancePath, connectionSetOf, loadSuite } from './test-support/conformance-data.js';

/**
 * Directories Vigil's YAML reader refuses, as it should: upstream's Go parser accepts tab characters
 * inside flow sequences, which YAML forbids (the suite's README notes the fix it applied by hand).
 */
const UNREADABLE = new Set(['acs-security-demos-added-workloads']);

let pairs = 0;
let addresses = 0;
afterAll(() => {
  console.log(`netpol manifests: ${pairs} workload pairs and ${addresses} address checks matched from upstream's own manifests`);
});

/** Upstream's peer name for a model pod: `ns/name[Kind]` of its workload, or of its controller. */
function upstreamName(pod: ModelPod): string {
  if (pod.representative) return `${pod.namespace}/${pod.name}[${pod.kind}]`;
  // Workload controllers (or an owner without a kind, named `[Pod]`) name a peer; a static pod owned
  // by its Node is named after itself.
  const workloadKinds = new Set(['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);
  const refs = (pod.entry.object.metadata.ownerReferences ?? []).filter(
    (r) => typeof r.name === 'string' && (r.kind === undefined || workloadKinds.has(r.kind)),
  );
  const owner = refs.find((r) => r.controller === true) ?? refs[0];
  return owner === undefined ? `${pod.namespace}/${pod.name}[Pod]` : `${pod.namespace}/${owner.name ?? ''}[${owner.kind ?? 'Pod'}]`;
}

const scenarios = loadSuite('netpol-analyzer').filter(
  (c) =>
    typeof c.upstream.testDir === 'string' &&
    c.connectivity?.complete === true &&
    existsSync(conformancePath('netpol-analyzer', c.upstream.testDir)),
);

describe('netpol-analyzer scenarios from their manifests', () => {
  it('covers the directory scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(30);
  });

  describe.each(scenarios.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const dir = conformancePath('netpol-analyzer', c.upstream.testDir as string);

    it('gives every workload pair and address range the upstream answer', async () => {
      const loaded = await loadInputs([dir]);
      const errors = loaded.problems.filter((p) => p.level === 'error');
      if (UNREADABLE.has(c.name)) {
        expect(errors.map((p) => p.code)).toContain('yaml-syntax');
        return;
      }
      expect(errors).toEqual([]);
      const model: NetworkModel = buildNetworkModel(Inventory.from(loaded.objects).inventory, { hostNetwork: 'ordinary' });
      const table = c.connectivity as NonNullable<typeof c.connectivity>;
      const byWorkload = new Map<string, ModelPod[]>();
      for (const pod of model.pods) {
        if (pod.outOfScope !== undefined) continue;
        const name = upstreamName(pod);
        byWorkload.set(name, [...(byWorkload.get(name) ?? []), pod]);
      }
      const expected = new Map<string, ConnectionSet>();
      const ranges: { from: string; to: string; start: IpAddress; end: IpAddress; set: ConnectionSet; outbound: boolean }[] = [];
      const asRange = (text: string): [IpAddress, IpAddress] | undefined => {
        const single = parseIp(text);
        if (single !== undefined) return [single, single];
        const dash = text.indexOf('-');
        const start = dash > 0 ? parseIp(text.slice(0, dash)) : undefined;
        const end = dash > 0 ? parseIp(text.slice(dash + 1)) : undefined;
        return start !== undefined && end !== undefined ? [start, end] : undefined;
      };
      for (const [from, to, json] of table.rows) {
        const set = connectionSetOf(json);
        const fromRange = asRange(from);
        const toRange = asRange(to);
        if (fromRange !== undefined) ranges.push({ from, to, start: fromRange[0], end: fromRange[1], set, outbound: false });
        else if (toRange !== undefined) ranges.push({ from, to, start: toRange[0], end: toRange[1], set, outbound: true });
        else expected.set(`${from} ${to}`, set);
      }
      // Upstream names every workload of the table; the model must have found each of them, except
      // those whose pods Vigil leaves out of scope (hostNetwork here is read as ordinary; finished Job
      // pods, status.phase Succeeded, have no network endpoint left and upstream still lists them).
      const outOfScope = new Set(model.pods.filter((p) => p.outOfScope !== undefined).map(upstreamName));
      const named = new Set(c.pods.map((p) => p.workload).filter((w): w is string => w !== undefined && !outOfScope.has(w)));
      expect([...named].filter((w) => !byWorkload.has(w))).toEqual([]);
      const wrong: string[] = [];
      for (const [a, podsA] of byWorkload) {
        for (const [b, podsB] of byWorkload) {
          if (a === b) continue;
          const want = expected.get(`${a} ${b}`) ?? ConnectionSet.NONE;
          for (const pa of podsA) {
            for (const pb of podsB) {
              const got = allowedConnections(model, { kind: 'pod', pod: pa }, { kind: 'pod', pod: pb });
              if (got?.equals(want) !== true) wrong.push(`${a} -> ${b}: expected ${want.toString()}, got ${String(got)}`);
              else pairs++;
            }
          }
        }
      }
      for (const range of ranges) {
        const workload = range.outbound ? range.from : range.to;
        for (const pod of byWorkload.get(workload) ?? []) {
          for (const address of [range.start, range.end]) {
            const ext: Endpoint = { kind: 'external', address };
            const end: Endpoint = { kind: 'pod', pod };
            const got = range.outbound ? allowedConnections(model, end, ext) : allowedConnections(model, ext, end);
            if (got?.equals(range.set) !== true)
              wrong.push(`${range.from} -> ${range.to}: expected ${range.set.toString()}, got ${String(got)}`);
            else addresses++;
          }
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
    });
  });
});
