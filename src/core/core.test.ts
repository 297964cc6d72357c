import { describe, expect, it } from 'vitest';

import { fingerprintOf } from './finding.js';
import { appendPointer, fieldPathOf, parsePointer, pointerOf, valueAt } from './json-pointer.js';
import { isAtLeast } from './severity.js';

describe('JSON pointers', () => {
  it('escapes and parses tokens', () => {
    const pointer = pointerOf('metadata', 'annotations', 'vigil.dev/ignore', 'a~b');
    expect(pointer).toBe('/metadata/annotations/vigil.dev~1ignore/a~0b');
    expect(parsePointer(pointer)).toEqual(['metadata', 'annotations', 'vigil.dev/ignore', 'a~b']);
    expect(appendPointer('/spec', 'containers', 0)).toBe('/spec/containers/0');
  });

  it.each([
    ['/spec/template/spec/containers/1/securityContext/privileged', 'spec.template.spec.containers[1].securityContext.privileged'],
    ['/metadata/annotations/vigil.dev~1ignore', 'metadata.annotations["vigil.dev/ignore"]'],
    ['', ''],
  ])('renders %s as %s', (pointer, path) => {
    expect(fieldPathOf(pointer)).toBe(path);
  });

  it('reads values and answers undefined for missing steps', () => {
    const root = { a: [{ b: 1 }], 'x/y': 2 };
    expect(valueAt(root, '/a/0/b')).toBe(1);
    expect(valueAt(root, '/x~1y')).toBe(2);
    expect(valueAt(root, '/a/1/b')).toBeUndefined();
    expect(valueAt(root, '/a/b')).toBeUndefined();
    expect(valueAt(root, '/constructor')).toBeUndefined();
  });
});

describe('fingerprints', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
  it('are stable and ignore the API version', () => {
    expect(fingerprintOf('a/b', ref, '/spec')).toBe(fingerprintOf('a/b', { ...ref, apiVersion: 'apps/v1beta2' }, '/spec'));
  });
  it('differ by check, object and field', () => {
    const base = fingerprintOf('a/b', ref, '/spec');
    expect(fingerprintOf('a/c', ref, '/spec')).not.toBe(base);
    expect(fingerprintOf('a/b', { ...ref, name: 'api' }, '/spec')).not.toBe(base);
    expect(fingerprintOf('a/b', ref, '/spec/x')).not.toBe(base);
  });
});

describe('severities', () => {
  it('compare by rank', () => {
    expect(isAtLeast('critical', 'high')).toBe(true);
    expect(isAtLeast('medium', 'high')).toBe(false);
    expect(isAtLeast('info', 'info')).toBe(true);
  });
});
