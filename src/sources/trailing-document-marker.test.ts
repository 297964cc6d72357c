import { describe, expect, it } from 'vitest';

import { readManifestText } from './read-manifest-text.js';

const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n';

describe('a `---` with nothing after it', () => {
  it.each([
    ['at the end of the file', `${namespace}---`],
    ['at the end, with CRLF line ends', `${namespace.replaceAll('\n', '\r\n')}\r\n---`],
    ['followed by a comment only', `${namespace}--- # nothing here\n`],
    ['between two objects', `${namespace}---\n---\n${namespace.replace('name: a', 'name: b')}`],
  ])('is an empty document, not an error: %s', (_name, text) => {
    const read = readManifestText(text, 'x.yaml', 'yaml');
    expect(read.problems).toEqual([]);
    expect(read.objects.length).toBeGreaterThan(0);
  });

  it('while an explicit null document is still reported', () => {
    const read = readManifestText(`${namespace}---\nnull\n`, 'x.yaml', 'yaml');
    expect(read.problems.map((p) => p.message)).toEqual(['document is null, not a Kubernetes object']);
  });
});
