import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const HARDENED = [
  '--bind-address=127.0.0.1',
  '--profiling=false',
  '--use-service-account-credentials=true',
  '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
  '--root-ca-file=/etc/kubernetes/pki/ca.crt',
];
const cis = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('kube-controller-manager', withFlags(changes, HARDENED))]).flatMap((f) => f.frameworks.cis ?? []);

describe('control-plane/controller-manager', () => {
  it.each([
    [{}, []],
    [{ profiling: undefined }, ['1.3.2']],
    [{ 'use-service-account-credentials': undefined }, ['1.3.3']],
    [{ 'use-service-account-credentials': 'false' }, ['1.3.3']],
    [{ 'service-account-private-key-file': undefined }, ['1.3.4']],
    [{ 'root-ca-file': undefined }, ['1.3.5']],
    [{ 'feature-gates': 'RotateKubeletServerCertificate=false' }, ['1.3.6']],
    [{ 'feature-gates': 'RotateKubeletServerCertificate=true' }, []],
    [{ 'bind-address': undefined }, ['1.3.7']],
    [{ 'bind-address': '192.168.0.1' }, ['1.3.7']],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });
});
