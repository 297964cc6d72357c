import { describe, expect, it } from 'vitest';

import { readManifestText } from './read-manifest-text.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n      image: nginx\n';

describe('readManifestText', () => {
  it('reads objects with their source location', () => {
    const result = readManifestText(`---\n${POD}`, 'pod.yaml');
    expect(result.problems).toEqual([]);
    expect(result.objects).toHaveLength(1);
    const [sourced] = result.objects;
    expect(sourced?.object.kind).toBe('Pod');
    expect(sourced?.source).toMatchObject({ file: 'pod.yaml', documentIndex: 0, pointerPrefix: '', line: 2 });
    expect(sourced?.source?.positions?.locate('/spec/containers/0/image')).toEqual({ line: 9, column: 7 });
  });

  it('expands a List and a typed list, items inheriting the typed list’s kind', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - ${POD.trim().split('\n').join('\n    ')}\n`;
    const typed = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p1' }, spec: {} }] });
    const a = readManifestText(list, 'list.yaml');
    expect(a.objects.map((o) => [o.object.kind, o.object.metadata.name, o.source?.pointerPrefix])).toEqual([['Pod', 'a', '/items/0']]);
    expect(a.objects[0]?.source?.positions?.locate('/spec/containers/0/image')?.line).toBe(11);
    const b = readManifestText(typed, 'pods.json');
    expect(b.objects.map((o) => [o.object.apiVersion, o.object.kind, o.object.metadata.name])).toEqual([['v1', 'Pod', 'p1']]);
  });

  it('reads JSON with the native parser and still locates fields lazily', () => {
    const text = JSON.stringify(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      null,
      2,
    );
    const result = readManifestText(text, 'pod.json', 'json');
    expect(result.objects).toHaveLength(1);
    const at = result.objects[0]?.source?.positions?.locate('/spec/containers/0/image');
    expect(text.split('\n')[(at?.line ?? 0) - 1]).toContain('"image"');
  });

  it('falls back to the YAML reader for JSON that is not strict, reporting the line', () => {
    const result = readManifestText('{\n  "kind": "Pod",\n  "apiVersion": "v1",\n  "metadata": {"name": "x"\n', 'bad.json', 'json');
    expect(result.objects).toEqual([]);
    expect(result.problems[0]).toMatchObject({ code: 'yaml-syntax', level: 'error' });
    expect(result.problems[0]?.location.line).toBeGreaterThan(1);
  });

  it('reports documents that are not Kubernetes objects, and keeps going', () => {
    const text = [
      '- just',
      '- a list',
      '---',
      'replicaCount: 3',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {}',
      '---',
      POD,
    ].join('\n');
    const result = readManifestText(text, 'mixed.yaml');
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['a']);
    expect(result.problems.map((p) => [p.code, p.level, p.location.documentIndex, p.location.line])).toEqual([
      ['not-an-object', 'error', 0, 1],
      ['not-kubernetes', 'warning', 1, 4],
      ['missing-field', 'error', 2, 6],
    ]);
    expect(result.stats).toMatchObject({ documents: 4, skippedDocuments: 3, objects: 1 });
  });

  it('accepts component configuration without a name, naming it after its file', () => {
    const result = readManifestText('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n', 'conf/audit-policy.yaml');
    expect(result.problems).toEqual([]);
    expect(result.objects[0]?.object.metadata.name).toBe('audit-policy.yaml');
  });

  it('uses generateName when there is no name', () => {
    const result = readManifestText('apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\nspec: {}\n', 'job.yaml');
    expect(result.objects[0]?.object.metadata.name).toBe('migrate-');
  });

  it('strips a byte-order mark', () => {
    expect(readManifestText(`\uFEFF${POD}`, 'bom.yaml').objects).toHaveLength(1);
  });
});
