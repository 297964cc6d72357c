/**
 * Semantics that no conformance suite covers (SEMANTICS §6) and the model built from manifests.
 */
import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import type { Protocol } from './connection-set.js';
import { resolveEndpoint } from './endpoint.js';
import { allowedConnections, reach, type Endpoint } from './evaluate.js';
import type { NetworkModel } from './model.js';
import { modelOf, namespace, pod, policy } from './test-support/builders.js';

function at(model: NetworkModel, text: string): Endpoint {
  const resolved = resolveEndpoint(model, text);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.endpoint;
}

function allowed(objects: readonly KubeObject[], from: string, to: string, protocol: Protocol, port: number): boolean | null {
  const model = modelOf(objects);
  return reach(model, at(model, from), at(model, to), protocol, port).allowed;
}

describe('reach: cases the conformance suites leave out', () => {
  it('an egress: [] without policyTypes leaves egress open', () => {
    const objects = [pod('a/x'), pod('a/y'), policy('a/p', { podSelector: {}, egress: [] })];
    expect(allowed(objects, 'a/x', 'a/y', 'TCP', 80)).toBe(false); // ingress is isolated
    expect(allowed(objects, 'a/x', '203.0.113.9', 'TCP', 80)).toBe(true); // egress is not
  });

  it.each([
    ['TCP', 7999, false],
    ['TCP', 8000, true],
    ['TCP', 8010, true],
    ['TCP', 8011, false],
    ['SCTP', 8005, true],
    ['SCTP', 8011, false],
    ['UDP', 8005, false],
  ] as const)('endPort range 8000-8010: %s %i → %s', (protocol, port, expected) => {
    const objects = [
      pod('a/x'),
      pod('a/y'),
      policy('a/p', {
        podSelector: {},
        ingress: [
          {
            ports: [
              { port: 8000, endPort: 8010 },
              { protocol: 'SCTP', port: 8000, endPort: 8010 },
            ],
          },
        ],
      }),
    ];
    expect(allowed(objects, 'a/x', 'a/y', protocol, port)).toBe(expected);
  });

  it('matches IPv6 blocks against IPv6 pod addresses and never across families', () => {
    const objects = [
      pod('a/client', {}, { ip: ['10.1.0.5', 'fd00::5'] }),
      pod('a/v4only', {}, { ip: '10.1.0.6' }),
      pod('b/server'),
      policy('b/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/64' } }] }] }),
    ];
    expect(allowed(objects, 'a/client', 'b/server', 'TCP', 80)).toBe(true);
    expect(allowed(objects, 'a/v4only', 'b/server', 'TCP', 80)).toBe(false);
    expect(allowed(objects, 'fd00::99', 'b/server', 'TCP', 80)).toBe(true);
    expect(allowed(objects, 'fd01::1', 'b/server', 'TCP', 80)).toBe(false);
    expect(allowed(objects, '10.9.9.9', 'b/server', 'TCP', 80)).toBe(false);
  });

  it('resolves one named port to a different number on each destination pod', () => {
    const objects = [
      pod('a/client'),
      pod('b/one', { app: 'srv' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('b/two', { app: 'srv' }, { ports: [{ name: 'http', containerPort: 9090 }] }),
      pod('b/none', { app: 'srv' }, { ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
      policy('b/p', { podSelector: { matchLabels: { app: 'srv' } }, ingress: [{ ports: [{ port: 'http' }] }] }),
    ];
    const model = modelOf(objects);
    const conns = (to: string): string => String(allowedConnections(model, at(model, 'a/client'), at(model, to)));
    expect(conns('b/one')).toBe('TCP 8080');
    expect(conns('b/two')).toBe('TCP 9090');
    // The name exists only under UDP there: the TCP entry matches nothing (SEMANTICS edge case 30).
    expect(conns('b/none')).toBe('no connections');
    const answer = reach(model, at(model, 'a/client'), at(model, 'b/none'), 'TCP', 8080);
    expect(answer.ingress?.policies).toEqual([
      { policy: 'b/p', verdict: 'selected-named-port-unmatched', rule: 0, pointer: '/spec/ingress/0' },
    ]);
  });

  it('a named port in egress is resolved on the destination, and matches nothing outside the cluster', () => {
    const objects = [
      pod('a/client'),
      pod('b/db', {}, { ports: [{ name: 'pg', containerPort: 5432 }] }),
      policy('a/p', { podSelector: {}, egress: [{ ports: [{ port: 'pg' }] }] }),
    ];
    expect(allowed(objects, 'a/client', 'b/db', 'TCP', 5432)).toBe(true);
    expect(allowed(objects, 'a/client', '203.0.113.1', 'TCP', 5432)).toBe(false);
  });

  it('egress to {namespaceSelector, podSelector}: the namespace matching is not enough', () => {
    const objects = [
      namespace('a'),
      namespace('b', { team: 'db' }),
      pod('a/client'),
      pod('b/db', { app: 'db' }),
      pod('b/cache', { app: 'cache' }),
      policy('a/p', {
        podSelector: {},
        egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'db' } }, podSelector: { matchLabels: { app: 'db' } } }] }],
      }),
    ];
    expect(allowed(objects, 'a/client', 'b/db', 'TCP', 5432)).toBe(true);
    expect(allowed(objects, 'a/client', 'b/cache', 'TCP', 6379)).toBe(false);
  });

  it('pods without a known address are never matched by an ipBlock, not even 0.0.0.0/0', () => {
    const objects = [
      pod('a/pending'),
      pod('a/running', {}, { ip: '10.1.0.7' }),
      pod('b/server'),
      policy('b/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
    ];
    expect(allowed(objects, 'a/pending', 'b/server', 'TCP', 80)).toBe(false);
    expect(allowed(objects, 'a/running', 'b/server', 'TCP', 80)).toBe(true);
  });

  it('answers a bare address with the pod that has it, and with the first of duplicates, warning about them', () => {
    const objects = [pod('a/one', {}, { ip: '10.1.0.1' }), pod('a/two', {}, { ip: '10.1.0.1' })];
    const model = modelOf(objects);
    expect(at(model, '10.1.0.1')).toMatchObject({ kind: 'pod', pod: { id: 'a/one' } });
    expect(model.problems.some((p) => p.message.includes('share the address 10.1.0.1'))).toBe(true);
    expect(at(model, '10.1.0.2')).toMatchObject({ kind: 'external' });
  });

  it('lets a pod reach itself and leaves address-to-address pairs out of scope', () => {
    const objects = [pod('a/x', {}, { ip: '10.1.0.1' }), policy('a/deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })];
    const model = modelOf(objects);
    expect(reach(model, at(model, 'a/x'), at(model, 'a/x'), 'TCP', 80)).toMatchObject({ allowed: true, loopback: true });
    expect(reach(model, at(model, '1.1.1.1'), at(model, '8.8.8.8'), 'TCP', 53).allowed).toBeNull();
  });

  it('answers hostNetwork pods as out of scope, naming why', () => {
    const objects = [pod('kube-system/node-agent', {}, { spec: { hostNetwork: true } }), pod('a/x')];
    const model = modelOf(objects);
    const answer = reach(model, at(model, 'kube-system/node-agent'), at(model, 'a/x'), 'TCP', 80);
    expect(answer.allowed).toBeNull();
    expect(answer.outOfScope).toMatch(/^kube-system\/node-agent: it uses the host network/);
  });

  it('explains a denial with every selecting policy and an allowance with the rule', () => {
    const objects = [
      pod('a/web', { app: 'web' }),
      pod('a/api', { app: 'api' }),
      policy('a/deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('a/api-from-web', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: 'admin' } } }] },
          { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] },
        ],
      }),
    ];
    const model = modelOf(objects);
    expect(reach(model, at(model, 'a/web'), at(model, 'a/api'), 'TCP', 8080)).toEqual({
      allowed: true,
      egress: { allowed: true, isolated: false, reason: 'not-isolated', policies: [] },
      ingress: {
        allowed: true,
        isolated: true,
        reason: 'allowed-by-rule',
        policies: [
          { policy: 'a/api-from-web', verdict: 'allowed-by-rule', rule: 1, pointer: '/spec/ingress/1' },
          { policy: 'a/deny', verdict: 'selected-no-rules' },
        ],
      },
    });
    expect(reach(model, at(model, 'a/web'), at(model, 'a/api'), 'TCP', 9090).ingress).toEqual({
      allowed: false,
      isolated: true,
      reason: 'no-rule-allows',
      policies: [
        { policy: 'a/api-from-web', verdict: 'selected-ports-not-matched', rule: 1, pointer: '/spec/ingress/1' },
        { policy: 'a/deny', verdict: 'selected-no-rules' },
      ],
    });
  });
});

describe('the network model of manifests', () => {
  const deployment = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra },
      },
    },
  });

  it('stands one pod for each workload, named after it, with the template labels and ports', () => {
    const model = modelOf([deployment('web', { app: 'web' })]);
    expect(model.pods.map((p) => [p.id, p.kind, p.representative, p.labels, p.ports])).toEqual([
      ['shop/web', 'Deployment', true, { app: 'web' }, [{ name: 'http', port: 8080, protocol: 'TCP' }]],
    ]);
  });

  it('uses the real pods of a workload when they are in the input, and reports on the workload', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-5d9',
        namespace: 'shop',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }],
      },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x' }] } } },
    };
    const podObject = {
      ...pod('shop/web-5d9-abcde', { app: 'web' }, { ip: '10.4.0.9' }),
      metadata: {
        name: 'web-5d9-abcde',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9', controller: true }],
      },
    };
    const model = modelOf([deployment('web', { app: 'web' }), rs, podObject]);
    expect(model.pods.map((p) => [p.id, p.owner.ref.kind, p.owner.ref.name])).toEqual([['shop/web-5d9-abcde', 'Deployment', 'web']]);
    // Asking for the Deployment answers with its pod.
    expect(resolveEndpoint(model, 'shop/web')).toMatchObject({ ok: true, endpoint: { pod: { id: 'shop/web-5d9-abcde' } } });
  });

  it('labels every namespace with kubernetes.io/metadata.name, implied ones included', () => {
    const model = modelOf([namespace('shop', { team: 'a' }), pod('other/x')]);
    expect(model.namespaceLabels('shop')).toEqual({ team: 'a', 'kubernetes.io/metadata.name': 'shop' });
    expect(model.namespaceLabels('other')).toEqual({ 'kubernetes.io/metadata.name': 'other' });
    expect(modelOf([namespace('shop', { team: 'a' })], { namespaceNameLabel: false }).namespaceLabels('shop')).toEqual({ team: 'a' });
  });

  it('leaves finished pods and hostNetwork workloads out of scope', () => {
    const model = modelOf([
      pod('shop/job-1', {}, { status: { phase: 'Succeeded' } }),
      deployment('agent', { app: 'agent' }, { hostNetwork: true }),
    ]);
    expect(model.pods.map((p) => [p.id, p.outOfScope?.slice(0, 20)])).toEqual([
      ['shop/job-1', 'it has finished (sta'],
      ['shop/agent', 'it uses the host net'],
    ]);
  });

  it('leaves out policies the API server would reject, and keeps the first of duplicates', () => {
    const model = modelOf([
      pod('shop/x'),
      policy('shop/bad', { podSelector: {}, ingress: [{ from: [{}] }] }),
      policy('shop/dup', { podSelector: {} }),
      policy('shop/dup', { podSelector: {}, ingress: [{}] }),
    ]);
    expect(model.policies.map((p) => p.id)).toEqual(['shop/dup']);
    expect(model.policies[0]?.ingress).toEqual([]);
    expect(model.rejectedPolicies.map((p) => p.id)).toEqual(['shop/bad']);
    expect(model.problems.map((p) => p.level)).toEqual(['error', 'warning']);
  });

  it('names a workload that shares a name with a pod by its kind', () => {
    const model = modelOf([pod('shop/web'), deployment('web', { app: 'web' })]);
    expect(model.pods.map((p) => p.id)).toEqual(['shop/web', 'shop/web[Deployment]']);
    expect(resolveEndpoint(model, 'shop/web[Deployment]')).toMatchObject({ ok: true, endpoint: { pod: { kind: 'Deployment' } } });
    expect(resolveEndpoint(model, 'shop/nope')).toMatchObject({ ok: false, hint: expect.stringContaining('shop/web') as unknown });
    expect(resolveEndpoint(model, 'web')).toMatchObject({ ok: false });
  });
});
