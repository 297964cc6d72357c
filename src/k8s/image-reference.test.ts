import { describe, expect, it } from 'vitest';

import { isValidDigest, parseImageReference } from './image-reference.js';

const hex64 = 'a'.repeat(64);

describe('image references', () => {
  it('splits registry, repository, tag and digest', () => {
    expect(parseImageReference(`registry.example.com:5000/team/app:1.2@sha256:${hex64}`)).toEqual({
      raw: `registry.example.com:5000/team/app:1.2@sha256:${hex64}`,
      registry: 'registry.example.com:5000',
      explicitRegistry: true,
      repository: 'team/app',
      tag: '1.2',
      digest: `sha256:${hex64}`,
    });
    expect(parseImageReference('nginx')).toMatchObject({ registry: 'docker.io', repository: 'library/nginx', explicitRegistry: false });
  });

  it.each([
    [`sha256:${hex64}`, true],
    [`sha512:${'b'.repeat(128)}`, true],
    [`blake3:${hex64}`, true],
    [`custom-algorithm:a`, true],
    ['sha256:abc', false],
    [`sha256:${hex64.toUpperCase()}`, false],
    [`sha512:${'b'.repeat(32)}`, false],
    [`blake3:${'a'.repeat(63)}`, false],
    [`SHA256:${hex64}`, false],
  ])('%s is a valid OCI digest: %s', (digest, valid) => {
    expect(isValidDigest(digest)).toBe(valid);
  });
});
