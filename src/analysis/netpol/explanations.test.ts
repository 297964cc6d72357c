/**
 * netpol-analyzer's explanations (../shared/conformance/network-policy/netpol-analyzer/explanations.json):
 * for each pair and connection subset, which policies select each end and why each allowed or denied.
 * Vigil's explanation must say the same: decision per direction, whether the pod is isolated, and per
 * policy its verdict and rule.
 */
import { readFileSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { PROTOCOLS, type ConnectionSetJson, type Protocol } from './connection-set.js';
import { reach, type DirectionAnswer, type Endpoint } from './evaluate.js';
import { parseIp } from './ip.js';
import type { NetworkModel } from './model.js';
import { conformancePath, hostNetworkPods, loadSuite, modelOfCase, type ConformanceCase } from './test-support/conformance-data.js';

interface UpstreamDirection {
  decision: 'allowed' | 'denied';
  notIsolated?: true;
  policies?: { policy: string; reason: string; rule?: number }[];
}

interface UpstreamEntry {
  from: string;
  to: string;
  verdict: 'allowed' | 'denied';
  conns: ConnectionSetJson;
  systemDefault?: true;
  egress?: UpstreamDirection;
  ingress?: UpstreamDirection;
}

const data = JSON.parse(readFileSync(conformancePath('netpol-analyzer', 'explanations.json'), 'utf8')) as {
  cases: Record<string, { entries: UpstreamEntry[] }>;
};
const cases = new Map(loadSuite('netpol-analyzer').map((c) => [c.name, c]));
let checked = 0;
let skipped = 0;

afterAll(() => {
  console.log(`netpol explanations: ${checked} upstream explanations matched, ${skipped} involving hostNetwork pods out of scope`);
});

/** One connection inside the subset the explanation is about. */
function probeOf(conns: ConnectionSetJson): { protocol: Protocol; port: number } {
  if (conns === 'all' || conns === 'none') return { protocol: 'TCP', port: 1 };
  for (const protocol of PROTOCOLS) {
    const first = conns[protocol]?.[0];
    if (first !== undefined) return { protocol, port: typeof first === 'number' ? first : first[0] };
  }
  throw new Error('empty connection subset');
}

function endpointOf(c: ConformanceCase, model: NetworkModel, text: string): Endpoint | 'hostNetwork' {
  if (text.endsWith('[External]')) {
    const start = text.slice(0, text.indexOf('-'));
    return {
      kind: 'external',
      address: parseIp(start) ?? (parseIp(text.replace('[External]', '')) as NonNullable<ReturnType<typeof parseIp>>),
    };
  }
  const pod = c.pods.find((p) => p.workload === text) ?? c.pods.find((p) => `${p.namespace}/${p.name}` === text);
  if (pod === undefined) throw new Error(`unknown peer ${text}`);
  if (hostNetworkPods(c).has(`${pod.namespace}/${pod.name}`)) return 'hostNetwork';
  const found = model.podById(`${pod.namespace}/${pod.name}`);
  if (found === undefined) throw new Error(`no model pod for ${text}`);
  return { kind: 'pod', pod: found };
}

/** Vigil's direction answer in upstream's shape. */
function asUpstream(answer: DirectionAnswer): UpstreamDirection {
  if (!answer.isolated) return { decision: 'allowed', notIsolated: true };
  const policies = answer.policies
    .filter((p) => !answer.allowed || p.verdict === 'allowed-by-rule')
    .map((p) => ({ policy: p.policy, reason: p.verdict, ...(p.rule === undefined ? {} : { rule: p.rule + 1 }) }));
  return { decision: answer.allowed ? 'allowed' : 'denied', policies };
}

function normalise(direction: UpstreamDirection | undefined): UpstreamDirection | undefined {
  if (direction === undefined) return undefined;
  return {
    decision: direction.decision,
    ...(direction.notIsolated === true ? { notIsolated: true } : {}),
    ...(direction.policies === undefined
      ? {}
      : { policies: [...direction.policies].sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0)) }),
  };
}

describe.each(Object.entries(data.cases))('explanations: %s', (name, { entries }) => {
  const c = cases.get(name);
  it('has its scenario', () => {
    expect(c).toBeDefined();
  });
  if (c === undefined) return;
  const { model } = modelOfCase(c);

  it(`gives upstream's reasons for all ${entries.length} entries`, () => {
    const wrong: string[] = [];
    for (const entry of entries) {
      const from = endpointOf(c, model, entry.from);
      const to = endpointOf(c, model, entry.to);
      if (from === 'hostNetwork' || to === 'hostNetwork') {
        skipped++;
        continue;
      }
      const { protocol, port } = probeOf(entry.conns);
      const answer = reach(model, from, to, protocol, port);
      const label = `${entry.from} -> ${entry.to} ${protocol}/${port}`;
      if ((answer.allowed === true ? 'allowed' : 'denied') !== entry.verdict) wrong.push(`${label}: verdict ${String(answer.allowed)}`);
      if (answer.egress === undefined || answer.ingress === undefined) {
        wrong.push(`${label}: no explanation`);
        continue;
      }
      const expected =
        entry.systemDefault === true
          ? { egress: { decision: 'allowed', notIsolated: true }, ingress: { decision: 'allowed', notIsolated: true } }
          : { egress: normalise(entry.egress), ingress: normalise(entry.ingress) };
      const got = { egress: normalise(asUpstream(answer.egress)), ingress: normalise(asUpstream(answer.ingress)) };
      if (JSON.stringify(got) !== JSON.stringify(expected))
        wrong.push(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
      else checked++;
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});
