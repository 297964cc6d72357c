import { describe, expect, it } from 'vitest';

import { LineIndex } from './line-index.js';
import { parseYamlStream, type YamlReadLimits } from './yaml-documents.js';

function parse(text: string, limits?: YamlReadLimits) {
  return parseYamlStream(text, new LineIndex(text), limits);
}

describe('parseYamlStream', () => {
  it('reads each document of a stream with its index and start line', () => {
    const text = '# leading comment\n---\na: 1\n---\nb: 2\n';
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.documents.map((d) => [d.index, d.value, d.line])).toEqual([
      [0, { a: 1 }, 3],
      [1, { b: 2 }, 5],
    ]);
  });

  it('counts empty documents (a trailing ---, a lone null) without reporting them', () => {
    const result = parse('a: 1\n---\n---\nb: 2\n---\n');
    expect(result.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(result.emptyDocuments).toBe(2);
    expect(result.problems).toEqual([]);
  });

  it('locates every field of a document, down to list items', () => {
    const text = ['kind: Pod', 'spec:', '  containers:', '    - name: a', '      image: x', '    - name: b', '      image: y'].join('\n');
    const [doc] = parse(text).documents;
    expect(doc?.positions.locate('/kind')).toEqual({ line: 1, column: 1 });
    expect(doc?.positions.locate('/spec/containers/1')).toEqual({ line: 6, column: 7 });
    expect(doc?.positions.locate('/spec/containers/1/image')).toEqual({ line: 7, column: 7 });
  });

  it('falls back to the nearest existing field for a missing one', () => {
    const text = 'spec:\n  containers:\n    - name: a\n';
    const [doc] = parse(text).documents;
    expect(doc?.positions.locate('/spec/containers/0/resources/limits')).toEqual({ line: 3, column: 7 });
  });

  it('reads scalars the way Kubernetes does (YAML 1.1 via go-yaml)', () => {
    const text = [
      'octal: 0644',
      'yes: yes',
      'off: off',
      'short: y',
      'time: 12:30',
      'date: 2024-01-02',
      'hex: 0x1F',
      'quoted: "0644"',
      'nul: ~',
    ].join('\n');
    const [doc] = parse(text).documents;
    expect(doc?.value).toEqual({
      octal: 420,
      true: true,
      false: false,
      short: true,
      time: '12:30',
      date: '2024-01-02',
      hex: 31,
      quoted: '0644',
      nul: null,
    });
  });

  it('applies YAML merge keys, explicit keys winning', () => {
    const text = ['base: &base', '  a: 1', '  b: 2', 'derived:', '  <<: *base', '  b: 3'].join('\n');
    const [doc] = parse(text).documents;
    expect(doc?.value).toEqual({ base: { a: 1, b: 2 }, derived: { a: 1, b: 3 } });
  });

  it('keeps __proto__ as an ordinary key', () => {
    const [doc] = parse('__proto__:\n  polluted: true\n').documents;
    expect(Object.hasOwn(doc?.value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a syntax error with its line and still reads the next document', () => {
    const text = 'a: 1\n---\nkey: [unclosed\nother: 2\n---\nb: 2\n';
    const result = parse(text);
    expect(result.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ index: 1, code: 'yaml-syntax' });
    expect(result.problems[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('names a duplicated key, as kubectl refuses those', () => {
    const result = parse('spec:\n  replicas: 1\n  replicas: 2\n');
    expect(result.problems[0]).toMatchObject({ code: 'yaml-syntax', line: 3 });
    expect(result.problems[0]?.message).toContain('"replicas"');
  });

  it('refuses an alias bomb without expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    let previous = 'a';
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
      lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(',')}]`);
      previous = name;
    }
    const text = `${lines.join('\n')}\n---\nok: true\n`;
    const result = parse(text);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'alias-limit', index: 0, line: 1 });
    expect(result.documents.map((d) => d.value)).toEqual([{ ok: true }]);
  });

  it('allows modest aliasing', () => {
    const [doc] = parse('env: &env [{name: A, value: "1"}]\nother: *env\n').documents;
    expect(doc?.value).toEqual({ env: [{ name: 'A', value: '1' }], other: [{ name: 'A', value: '1' }] });
  });

  it('refuses an oversized document but reads the small ones around it', () => {
    const big = `data: "${'x'.repeat(2000)}"\n`;
    const text = `a: 1\n---\n${big}---\nb: 2\n`;
    const result = parse(text, { maxDocumentChars: 1000, maxAliasNodes: 100 });
    expect(result.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'too-large', index: 1, line: 2 })]);
  });

  it('does not split at --- inside an indented block scalar', () => {
    const text = 'script: |\n  echo start\n  ---\n  echo end\n';
    const result = parse(text);
    expect(result.documents).toHaveLength(1);
    expect(result.documents[0]?.value).toEqual({ script: 'echo start\n---\necho end\n' });
  });
});
