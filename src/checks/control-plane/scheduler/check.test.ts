import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const HARDENED = ['--bind-address=127.0.0.1', '--profiling=false'];
const cis = (changes: Record<string, string | undefined>) =>
  findingsOf(check, [staticPod('kube-scheduler', withFlags(changes, HARDENED))]).flatMap((f) => f.frameworks.cis ?? []);

describe('control-plane/scheduler', () => {
  it.each([
    [{}, []],
    [{ profiling: undefined }, ['1.4.1']],
    [{ profiling: 'true' }, ['1.4.1']],
    [{ 'bind-address': undefined }, ['1.4.2']],
    [{ 'bind-address': '0.0.0.0' }, ['1.4.2']],
    [{ 'bind-address': '::1' }, []],
  ])('%j fails %j', (changes, expected) => {
    expect(cis(changes)).toEqual(expected);
  });
});
