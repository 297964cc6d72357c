import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadInputs } from '../src/sources/load-inputs.js';

function kustomizeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-kustomize-'));
  const app = join(root, 'overlays', 'prod');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'kustomization.yaml'), 'resources: [deployment.yaml]\n');
  // A patch-like file that is not a complete object: it must not be read on its own.
  writeFileSync(join(app, 'deployment.yaml'), 'spec:\n  replicas: 3\n');
  writeFileSync(join(root, 'plain.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n');
  return root;
}

/** A stand-in for kubectl that prints a rendered Deployment, so the test does not need kubectl installed. */
function fakeKubectl(): string {
  const bin = mkdtempSync(join(tmpdir(), 'vigil-bin-'));
  const script = join(bin, 'kubectl');
  writeFileSync(
    script,
    '#!/bin/sh\n[ "$1" = kustomize ] || exit 3\ncat <<EOF\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rendered\n  namespace: prod\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: nginx}]\nEOF\n',
  );
  chmodSync(script, 0o755);
  return bin;
}

async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('kustomize folders', () => {
  it('are rendered with kubectl kustomize instead of read file by file', async () => {
    const root = kustomizeFolder();
    const result = await withPath(`${fakeKubectl()}:/usr/bin:/bin`, () => loadInputs([root]));
    expect(result.objects.map((o) => o.object.metadata.name).sort()).toEqual(['plain', 'rendered']);
    const rendered = result.objects.find((o) => o.object.metadata.name === 'rendered');
    // Lines of rendered output point nowhere in the user's files: only the kustomization is named.
    expect(rendered?.source).toMatchObject({ file: join(root, 'overlays', 'prod', 'kustomization.yaml') });
    expect(rendered?.source?.line).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it('say clearly when neither kubectl nor kustomize is available, and scan the rest', async () => {
    const root = kustomizeFolder();
    const empty = mkdtempSync(join(tmpdir(), 'vigil-nobin-'));
    const result = await withPath(empty, () => loadInputs([root]));
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['plain']);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'kustomize',
        level: 'error',
        message: expect.stringContaining('neither kubectl nor kustomize is on PATH'),
        hint: expect.stringContaining('kubectl kustomize'),
      }),
    ]);
  });
});
