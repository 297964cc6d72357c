import { describe, expect, it } from 'vitest';

import { parseImageReference } from '../../k8s/image-reference.js';
import { matchesImagePattern, writtenName } from './image-patterns.js';

function matches(image: string, pattern: string): boolean {
  const ref = parseImageReference(image);
  if (ref === undefined) throw new Error(`bad image ${image}`);
  return matchesImagePattern(ref, pattern);
}

describe('image patterns', () => {
  it.each([
    ['nginx', 'docker.io', true],
    ['nginx:1.27', 'docker.io/nginx', true],
    ['nginx:1.27', 'docker.io/library', true],
    ['ghcr.io/acme/api:1.0', 'ghcr.io', true],
    ['ghcr.io/acme/api:1.0', 'ghcr.io/acme', true],
    ['ghcr.io/acme-evil/api:1.0', 'ghcr.io/acme', false],
    ['eu.gcr.io/proj/app:1', 'gcr.io', true],
    ['k8s.gcb.io/goproxy:0.1', 'gcr.io', false],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1', 'amazonaws.com', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1', '*.dkr.ecr.eu-west-1.amazonaws.com', true],
    ['evilamazonaws.com/app:1', 'amazonaws.com', false],
    ['debian-azurecr.io/', 'debian-azurecr.io', true],
    ['internal-registry/nginx:1.25', 'internal-registry', true],
    ['internal-registry-attacker/app:latest', 'internal-registry', false],
    ['registry.example.com:5000/team/app@sha256:' + 'a'.repeat(64), 'registry.example.com:5000/team', true],
    ['quay.io/acme/api', 'https://quay.io/acme/', true],
    ['nginx', 'registry.hub.docker.com', true],
    ['index.docker.io/library/nginx:1', 'docker.io/nginx', true],
  ])('%s matches %s: %s', (image, pattern, expected) => {
    expect(matches(image, pattern)).toBe(expected);
  });

  it('names images as written', () => {
    const ref = parseImageReference('registry.example.com:5000/team/app:1.2@sha256:' + 'a'.repeat(64));
    expect(ref && writtenName(ref)).toBe('registry.example.com:5000/team/app');
  });
});
