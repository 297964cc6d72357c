import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const cisOf = (mode: string | undefined) =>
  findingsOf(check, [staticPod('kube-apiserver', withFlags({ 'authorization-mode': mode }))])
    .flatMap((f) => f.frameworks.cis ?? [])
    .sort();

describe('control-plane/apiserver-authorization-mode', () => {
  it.each([
    [undefined, ['1.2.6', '1.2.7', '1.2.8']],
    ['AlwaysAllow', ['1.2.6', '1.2.7', '1.2.8']],
    ['Node,AlwaysAllow', ['1.2.6', '1.2.8']],
    ['RBAC', ['1.2.7']],
    ['Node', ['1.2.8']],
    ['Node,RBAC', []],
    ['Node,RBAC,Webhook', []],
  ])('--authorization-mode=%s fails %j', (mode, cis) => {
    expect(cisOf(mode)).toEqual(cis);
  });

  it('does not judge structured authorization', () => {
    expect(
      findingsOf(check, [
        staticPod('kube-apiserver', withFlags({ 'authorization-mode': undefined, 'authorization-config': '/etc/k/authz.yaml' })),
      ]),
    ).toEqual([]);
  });
});
