import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const run = (fields: Record<string, unknown>, options?: unknown) =>
  findingsOf(check, [pod('p', { containers: [container('c', fields)] })], options);
const digest = `sha256:${'a'.repeat(64)}`;

describe('images/pull-policy', () => {
  it.each([
    [{ image: 'app:latest', imagePullPolicy: 'Never' }, 1],
    [{ image: 'app', imagePullPolicy: 'IfNotPresent' }, 1],
    [{ image: 'app' }, 0],
    [{ image: 'app:latest' }, 0],
    [{ image: 'app:1.2.3' }, 0],
    [{ image: 'app:befacaad', imagePullPolicy: 'IfNotPresent' }, 0],
    [{ image: `app:latest@${digest}`, imagePullPolicy: 'IfNotPresent' }, 0],
    [{ image: `app@${digest}` }, 0],
  ])('%j gives %i finding(s)', (fields, count) => {
    expect(run(fields)).toHaveLength(count);
  });

  it('treats configured floating tags as moving', () => {
    const options = { require: 'mutable-tags', floatingTags: ['alpine'] };
    expect(run({ image: 'redis:alpine', imagePullPolicy: 'IfNotPresent' }, options)).toHaveLength(1);
    expect(run({ image: 'redis:alpine' }, options).map((f) => f.message)).toEqual([expect.stringContaining('IfNotPresent (the default)')]);
  });

  it('can require an explicit Always on every container', () => {
    const options = { require: 'always', floatingTags: [] };
    expect(run({ image: 'nginx' }, options).map((f) => f.message)).toEqual([
      'Container "c" does not set imagePullPolicy; set imagePullPolicy: Always.',
    ]);
    expect(run({ image: 'nginx:1.2', imagePullPolicy: 'Always' }, options)).toEqual([]);
  });
});
