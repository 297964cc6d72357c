import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const messages = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))]).map((f) => f.message);

describe('control-plane/apiserver-tls', () => {
  it('passes the hardened flags', () => {
    expect(messages({})).toEqual([]);
  });

  it.each([
    [{ 'tls-cert-file': undefined }, 'does not set --tls-cert-file'],
    [{ 'tls-cipher-suites': undefined }, 'does not set --tls-cipher-suites'],
    [
      { 'tls-cipher-suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256' },
      'weak suites: TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
    ],
    [{ 'tls-min-version': 'VersionTLS11' }, 'accepts VersionTLS11'],
    [{ 'insecure-port': '8080' }, '--insecure-port=8080'],
    [{ 'secure-port': '0' }, '--secure-port=0'],
  ])('%j', (changes, text) => {
    expect(messages(changes)).toEqual([expect.stringContaining(text)]);
  });

  it('lets the last --secure-port win, as the API server does', () => {
    expect(
      findingsOf(check, [
        staticPod('kube-apiserver', [...withFlags({ 'secure-port': undefined }), '--secure-port=0', '--secure-port=6443']),
      ]),
    ).toEqual([]);
  });
});
