import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const cis = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))]).flatMap((f) => f.frameworks.cis ?? []);

describe('control-plane/apiserver-kubelet-tls', () => {
  it.each([
    [{}, []],
    [{ 'kubelet-client-certificate': undefined }, ['1.2.4']],
    [{ 'kubelet-client-certificate': undefined, 'kubelet-client-key': undefined }, ['1.2.4', '1.2.4']],
    [{ 'kubelet-certificate-authority': undefined }, ['1.2.5']],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });
});
