import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod, podSpec } from '../../test-support/check-harness.js';
import check from './check.js';

describe('images/no-digest', () => {
  it.each([
    [`ghcr.io/acme/api:1.4.2@sha256:${'9'.repeat(64)}`, []],
    [`nginx@sha256:${'a'.repeat(64)}`, []],
    ['nginx:1.27.3', ['noDigest']],
    ['nginx', ['noDigest']],
    ['nginx@sha256:short', ['noDigest']],
  ])('%s → %j', (image, expected) => {
    expect(findingsOf(check, [pod('p', podSpec([container('c', { image })]))]).map((f) => f.messageId)).toEqual(expected);
  });

  it('points at the image field and names the image', () => {
    const [finding] = findingsOf(check, [pod('p', podSpec([container('c', { image: 'postgres:16.4' })]))]);
    expect(finding?.location.path).toBe('spec.containers[0].image');
    expect(finding?.message).toContain('"postgres:16.4"');
  });

  it('ignores containers without an image (images/latest-tag reports those)', () => {
    expect(findingsOf(check, [pod('p', podSpec([{ name: 'c' }]))])).toEqual([]);
  });
});
