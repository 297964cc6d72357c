import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const cis = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))]).flatMap((f) => f.frameworks.cis ?? []);

describe('control-plane/apiserver-authentication', () => {
  it.each([
    [{}, []],
    [{ 'token-auth-file': '/etc/kubernetes/tokens.csv' }, ['1.2.2']],
    [{ 'client-ca-file': undefined }, ['1.2.25']],
    [{ 'service-account-lookup': 'false' }, ['1.2.21']],
    [{ 'service-account-lookup': undefined }, []],
    [{ 'service-account-key-file': undefined }, ['1.2.22']],
    [{ 'service-account-extend-token-expiration': undefined }, ['1.2.30']],
    [{ 'service-account-extend-token-expiration': 'true' }, ['1.2.30']],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });
});
