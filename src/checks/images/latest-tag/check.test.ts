import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const run = (image: unknown) => findingsOf(check, [pod('p', { containers: [container('c', { image })] })]);

describe('images/latest-tag', () => {
  it.each([
    ['nginx', 'with no tag'],
    ['nginx:latest', 'mutable tag "latest"'],
    ['registry.example.com:5000/tools/fetcher', 'with no tag'],
  ])('reports %s', (image, text) => {
    expect(run(image).map((f) => f.message)).toEqual([expect.stringContaining(text)]);
  });

  it.each(['nginx:1.27.3', `envoy:latest@sha256:${'a'.repeat(64)}`])('passes %s', (image) => {
    expect(run(image)).toEqual([]);
  });

  it('reports a container with no image', () => {
    expect(run(undefined).map((f) => f.message)).toEqual(['Container "c" has no image.']);
  });
});
