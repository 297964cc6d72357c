/**
 * Every scenario of ../shared/conformance/network-policy (k8s-e2e, netpol-analyzer, cyclonus), read in
 * place, through the direct evaluator: each `expect` probe, each cyclonus per-direction verdict, and
 * netpol-analyzer's whole connectivity tables (every pod pair, every external address range).
 *
 * The one deliberate difference: pods with `hostNetwork: true` are out of scope in Vigil (Kubernetes
 * leaves their behaviour undefined), so probes and rows that involve them are counted and skipped,
 * as the suite's README recommends; a test below asserts that Vigil answers them as out of scope.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { ConnectionSet } from './connection-set.js';
import { resolveEndpoint } from './endpoint.js';
import { allowedConnections, reach, type Endpoint } from './evaluate.js';
import { cidrsOfRange, parseIp, type IpAddress } from './ip.js';
import type { ModelPod, NetworkModel } from './model.js';
import { connectionSetOf, hostNetworkPods, loadSuite, modelOfCase, SUITES, type ConformanceCase } from './test-support/conformance-data.js';

const tally = { cases: 0, probes: 0, skippedHostNetwork: 0, rowPairs: 0, rowRanges: 0 };

afterAll(() => {
  // The count the issue asks for; printed so that a run shows it.
  console.log(
    `netpol conformance (direct): ${tally.cases} scenarios, ${tally.probes} probes passed, ${tally.skippedHostNetwork} hostNetwork probes out of scope, ${tally.rowPairs} pod pairs and ${tally.rowRanges} external address checks against connectivity tables`,
  );
});

function endpointOf(model: NetworkModel, text: string): Endpoint {
  const resolved = resolveEndpoint(model, text);
  if (!resolved.ok) throw new Error(`${text}: ${resolved.message}`);
  return resolved.endpoint;
}

/** Peers of a connectivity row: pods of a workload, one pod, or an address range. */
type RowPeer = { kind: 'pods'; pods: ModelPod[] } | { kind: 'range'; start: IpAddress; end: IpAddress };

function rowPeer(c: ConformanceCase, model: NetworkModel, text: string): RowPeer {
  const dash = text.indexOf('-');
  const asIp = parseIp(text);
  if (asIp !== undefined) return { kind: 'range', start: asIp, end: asIp };
  if (dash > 0 && parseIp(text.slice(0, dash)) !== undefined) {
    return { kind: 'range', start: parseIp(text.slice(0, dash)) as IpAddress, end: parseIp(text.slice(dash + 1)) as IpAddress };
  }
  if (text.endsWith(']')) {
    const names = c.pods.filter((p) => p.workload === text).map((p) => `${p.namespace}/${p.name}`);
    if (names.length === 0) throw new Error(`no pod of workload ${text}`);
    return { kind: 'pods', pods: names.map((n) => model.podById(n) as ModelPod) };
  }
  const pod = model.podById(text);
  if (pod === undefined) throw new Error(`no pod ${text}`);
  return { kind: 'pods', pods: [pod] };
}

/** Where Vigil's answers differ from a connectivity table (first 20), counting what was checked. */
function tableMismatches(c: ConformanceCase, model: NetworkModel, skip: ReadonlySet<string>): string[] {
  const table = c.connectivity;
  if (table === undefined) return [];
  const wrong: string[] = [];
  const expectedPods = new Map<string, ConnectionSet>();
  const ranges: { from: RowPeer; to: RowPeer; set: ConnectionSet }[] = [];
  for (const [fromText, toText, json] of table.rows) {
    const from = rowPeer(c, model, fromText);
    const to = rowPeer(c, model, toText);
    const set = connectionSetOf(json);
    if (from.kind === 'pods' && to.kind === 'pods') {
      for (const a of from.pods) for (const b of to.pods) if (a !== b) expectedPods.set(`${a.id} ${b.id}`, set);
    } else {
      ranges.push({ from, to, set });
    }
  }
  const inScope = model.pods.filter((p) => !skip.has(p.id));
  const workloadOf = new Map(c.pods.map((p) => [`${p.namespace}/${p.name}`, p.workload ?? `${p.namespace}/${p.name}`]));
  // Pod pairs: every listed pair; with a complete table, every pair of distinct workloads.
  const pairs: [ModelPod, ModelPod][] = [];
  if (table.complete === true) {
    for (const a of inScope) for (const b of inScope) if (workloadOf.get(a.id) !== workloadOf.get(b.id)) pairs.push([a, b]);
  } else {
    for (const key of expectedPods.keys()) {
      const [a, b] = key.split(' ') as [string, string];
      if (!skip.has(a) && !skip.has(b)) pairs.push([model.podById(a) as ModelPod, model.podById(b) as ModelPod]);
    }
  }
  for (const [a, b] of pairs) {
    const expected = expectedPods.get(`${a.id} ${b.id}`) ?? ConnectionSet.NONE;
    const got = allowedConnections(model, { kind: 'pod', pod: a }, { kind: 'pod', pod: b });
    if (got?.equals(expected) !== true) wrong.push(`${a.id} -> ${b.id}: expected ${expected.toString()}, got ${String(got)}`);
    else tally.rowPairs++;
  }
  // External addresses: cut IPv4 into intervals at every boundary of the policies' blocks and of the
  // table's ranges; each interval is uniform, so its first and last address stand for all of it.
  const cuts = new Set<bigint>([0n, 1n << 32n]);
  for (const policy of model.policies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const peer of rule.peers ?? []) {
        if (peer.kind !== 'ipBlock' || peer.cidr.family !== 4) continue;
        for (const block of [peer.cidr, ...peer.except]) {
          cuts.add(block.start);
          cuts.add(block.end + 1n);
        }
      }
    }
  }
  for (const { from, to } of ranges) {
    const r = (from.kind === 'range' ? from : to) as Extract<RowPeer, { kind: 'range' }>;
    cuts.add(r.start.value);
    cuts.add(r.end.value + 1n);
  }
  const sorted = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (let i = 0; i + 1 < sorted.length; i++) {
    const lo = sorted[i] as bigint;
    const hi = (sorted[i + 1] as bigint) - 1n;
    for (const value of lo === hi ? [lo] : [lo, hi]) {
      const address: IpAddress = { family: 4, value };
      const ext: Endpoint = { kind: 'external', address };
      const within = (r: RowPeer): boolean => r.kind === 'range' && r.start.value <= value && value <= r.end.value;
      for (const pod of inScope) {
        for (const outbound of [false, true]) {
          const row = ranges.find(({ from, to }) =>
            outbound
              ? to.kind === 'range' && within(to) && from.kind === 'pods' && from.pods.includes(pod)
              : within(from) && to.kind === 'pods' && to.pods.includes(pod),
          );
          if (row === undefined && table.complete !== true) continue;
          const expected = row?.set ?? ConnectionSet.NONE;
          const podEnd: Endpoint = { kind: 'pod', pod };
          const got = outbound ? allowedConnections(model, podEnd, ext) : allowedConnections(model, ext, podEnd);
          const where = cidrsOfRange({ family: 4, start: value, end: value })[0] ?? '';
          if (got?.equals(expected) !== true) {
            wrong.push(
              `${outbound ? `${pod.id} -> ${where}` : `${where} -> ${pod.id}`}: expected ${expected.toString()}, got ${String(got)}`,
            );
          } else {
            tally.rowRanges++;
          }
        }
      }
    }
  }
  return wrong.slice(0, 20);
}

describe.each(SUITES)('NetworkPolicy conformance: %s', (suite) => {
  const cases = loadSuite(suite);

  it('has scenarios', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { model } = modelOfCase(c);
    const hostNetwork = hostNetworkPods(c);

    it('builds without rejected policies', () => {
      tally.cases++;
      expect(model.rejectedPolicies.map((p) => p.problems)).toEqual([]);
    });

    it('answers every probe as upstream does', () => {
      const wrong: string[] = [];
      let ordinary: NetworkModel | undefined;
      for (const probe of c.expect) {
        let probed = model;
        if (hostNetwork.has(probe.from) || hostNetwork.has(probe.to)) {
          // Out of scope by default; treated as ordinary pods, the answer must still be upstream's.
          tally.skippedHostNetwork++;
          const answer = reach(model, endpointOf(model, probe.from), endpointOf(model, probe.to), probe.protocol, probe.port);
          expect(answer.allowed).toBeNull();
          expect(answer.outOfScope).toContain('host network');
          ordinary ??= modelOfCase(c, 'ordinary').model;
          probed = ordinary;
        }
        const answer = reach(probed, endpointOf(probed, probe.from), endpointOf(probed, probe.to), probe.protocol, probe.port);
        const label = `${probe.from} -> ${probe.to} ${probe.protocol}/${probe.port}`;
        if (answer.allowed !== probe.allowed) wrong.push(`${label}: expected ${probe.allowed}, got ${String(answer.allowed)}`);
        if (probe.ingress !== undefined && answer.ingress?.allowed !== probe.ingress)
          wrong.push(`${label}: ingress expected ${probe.ingress}`);
        if (probe.egress !== undefined && answer.egress?.allowed !== probe.egress) wrong.push(`${label}: egress expected ${probe.egress}`);
        if (wrong.length === 0) tally.probes++;
      }
      expect(wrong).toEqual([]);
    });

    const table = c.connectivity;
    if (table !== undefined && table.rows.length + (table.complete === true ? 1 : 0) > 0) {
      it(`matches the upstream connectivity table (${table.complete === true ? 'complete' : 'listed pairs'})`, () => {
        expect(tableMismatches(c, model, hostNetwork)).toEqual([]);
      });
      if (hostNetwork.size > 0) {
        it('matches the whole table, hostNetwork pods included, when they are treated as ordinary pods', () => {
          expect(tableMismatches(c, modelOfCase(c, 'ordinary').model, new Set())).toEqual([]);
        });
      }
    }
  });
});
