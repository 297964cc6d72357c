import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod, podSpec } from '../../test-support/check-harness.js';
import check from './check.js';

describe('images/no-digest', () => {
  it.each([
    [`ghcr.io/acme/api:1.4.2@sha256:${'9'.repeat(64)}`, []],
    [`nginx@sha256:${'a'.repeat(64)}`, []],
    ['nginx:1.27.3', ['noDigest']],
    ['nginx', ['noDigest']],
    ['nginx@sha256:short', ['invalidDigest']],
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

describe('images/no-digest: OCI digests and exemptions', () => {
  const hex64 = 'a'.repeat(64);
  const run = (image: string, options?: unknown) => findingsOf(check, [pod('p', podSpec([container('c', { image })]))], options);

  it.each([
    [`nginx@sha256:${hex64.toUpperCase()}`, 1],
    [`nginx@sha256:${'a'.repeat(63)}`, 1],
    [`nginx@sha512:${'a'.repeat(128)}`, 0],
    [`nginx@sha512:${'a'.repeat(32)}`, 1],
    [`nginx@blake3:${hex64}`, 0],
    [`nginx@custom-algorithm:${'a'.repeat(32)}`, 0],
  ])('%s gives %i finding(s)', (image, count) => {
    expect(run(image)).toHaveLength(count);
  });

  it('exempts configured repositories at path-segment boundaries', () => {
    const options = { exemptRepositories: ['internal-registry'] };
    expect(run('internal-registry/nginx:1.25', options)).toEqual([]);
    expect(run('internal-registry-attacker/app:latest', options)).toHaveLength(1);
  });
});
