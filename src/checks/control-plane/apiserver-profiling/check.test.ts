import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

describe('control-plane/apiserver-profiling', () => {
  it.each([
    [undefined, 1],
    ['true', 1],
    ['1', 1],
    ['false', 0],
    ['0', 0],
  ])('--profiling=%s gives %i finding(s)', (value, count) => {
    expect(findingsOf(check, [staticPod('kube-apiserver', withFlags({ profiling: value }))])).toHaveLength(count);
  });
});
