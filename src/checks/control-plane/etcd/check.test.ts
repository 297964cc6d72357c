import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { HARDENED_APISERVER, staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const HARDENED = [
  '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
  '--key-file=/etc/kubernetes/pki/etcd/server.key',
  '--client-cert-auth=true',
  '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
  '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
  '--peer-client-cert-auth=true',
  '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
];
const cis = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('etcd', withFlags(changes, HARDENED)), staticPod('kube-apiserver', HARDENED_APISERVER)]).flatMap(
    (f) => f.frameworks.cis ?? [],
  );

describe('control-plane/etcd', () => {
  it.each([
    [{}, []],
    [{ 'cert-file': undefined }, ['2.1']],
    [{ 'client-cert-auth': undefined }, ['2.2']],
    [{ 'client-cert-auth': 'false' }, ['2.2']],
    [{ 'auto-tls': 'true' }, ['2.3']],
    [{ 'peer-key-file': undefined }, ['2.4']],
    [{ 'peer-client-cert-auth': undefined }, ['2.5']],
    [{ 'peer-auto-tls': 'true' }, ['2.6']],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });

  it('reports a CA shared with the API server on both pods', () => {
    const findings = findingsOf(check, [
      staticPod('etcd', withFlags({ 'trusted-ca-file': '/etc/kubernetes/pki/ca.crt' }, HARDENED)),
      staticPod('kube-apiserver', HARDENED_APISERVER),
    ]);
    expect(findings.map((f) => [f.resource.name, f.frameworks.cis])).toEqual([
      ['etcd-node1', ['2.7']],
      ['kube-apiserver-node1', ['2.7']],
    ]);
  });
});
