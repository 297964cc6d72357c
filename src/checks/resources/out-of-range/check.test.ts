import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const run = (resources: Record<string, unknown>, options: unknown) =>
  findingsOf(check, [pod('p', { containers: [container('c', { resources })] })], options);

describe('resources/out-of-range', () => {
  const options = { requests: {}, limits: { memory: { min: '100Mi', max: '6G' }, cpu: { min: '100m', max: '2' } } };

  it.each([
    [{ limits: { memory: '250Mi', cpu: 0.05 } }, ['below the minimum 100m']],
    [{ limits: { memory: 104857599, cpu: 1 } }, ['below the minimum 100Mi']],
    [{ limits: { memory: '7G', cpu: '3' } }, ['above the maximum 2', 'above the maximum 6G']],
    [{ limits: { memory: '250Mi', cpu: 1.5 } }, []],
    [{ limits: { memory: 104857600, cpu: 1 } }, []],
    [{ limits: { memory: '250Mi' } }, []],
  ])('%j gives %j', (resources, messages) => {
    expect(run(resources, options).map((f) => f.message.replace(/^.*, /, ''))).toEqual(messages.map((m) => `${m}.`));
  });

  it('handles milli-units of memory and mixed units', () => {
    const mem = { requests: { memory: { min: '0m', max: '300m' } }, limits: {} };
    expect(run({ requests: { memory: '400m' } }, mem)).toHaveLength(1);
    const gi = { requests: { memory: { max: '1Gi' } }, limits: {} };
    expect(run({ requests: { memory: '2048Mi' } }, gi)).toHaveLength(1);
    expect(run({ requests: { memory: '1024Mi' } }, gi)).toEqual([]);
  });

  it('does nothing without ranges and rejects malformed ones', () => {
    expect(run({ limits: { memory: '1Ti' } }, { requests: {}, limits: {} })).toEqual([]);
    expect(check.options?.safeParse({ limits: { memory: { max: 'lots' } } }).success).toBe(false);
  });
});
