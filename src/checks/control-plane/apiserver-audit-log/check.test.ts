import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const cis = (changes: Record<string, string | undefined>, options?: unknown) =>
  findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))], options).flatMap((f) => f.frameworks.cis ?? []);

describe('control-plane/apiserver-audit-log', () => {
  it.each([
    [{}, []],
    [{ 'audit-policy-file': undefined }, ['3.2.1']],
    [{ 'audit-log-path': undefined }, ['1.2.16']],
    [{ 'audit-log-maxage': '7' }, ['1.2.17']],
    [{ 'audit-log-maxbackup': undefined }, ['1.2.18']],
    [{ 'audit-log-maxsize': 'big' }, ['1.2.19']],
    [{ 'audit-log-path': '-', 'audit-log-maxage': undefined, 'audit-log-maxbackup': undefined, 'audit-log-maxsize': undefined }, []],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });

  it('takes the retention minimums from its options', () => {
    expect(cis({ 'audit-log-maxage': '60' }, { minAgeDays: 90, minBackups: 10, minSizeMB: 100 })).toEqual(['1.2.17']);
  });
});
