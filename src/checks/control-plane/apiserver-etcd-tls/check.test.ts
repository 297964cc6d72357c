import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const findings = (changes: Record<string, string | undefined>) => findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))]);

describe('control-plane/apiserver-etcd-tls', () => {
  it.each([
    [{}, []],
    [{ 'etcd-certfile': undefined }, ['1.2.23']],
    [{ 'etcd-keyfile': undefined }, ['1.2.23']],
    [{ 'etcd-cafile': undefined }, ['1.2.26']],
  ])('%j fails %j', (changes, expected) => {
    expect(findings(changes).flatMap((f) => f.frameworks.cis ?? [])).toEqual(expected);
  });

  it('reports plain-HTTP etcd servers as critical', () => {
    const found = findings({ 'etcd-servers': 'https://10.0.0.1:2379,http://10.0.0.2:2379' });
    expect(found.map((f) => [f.severity, f.message])).toEqual([['critical', expect.stringContaining('http://10.0.0.2:2379')]]);
  });
});
