import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Alias, type Node as YamlNode, type Tags } from 'yaml';

import type { LineIndex } from './line-index.js';
import { recordOffsets, treePositions, type PositionIndex } from './positions.js';

/** One YAML document of a stream, converted to plain data, with its field positions. */
export interface ParsedDocument {
  /** 0-based index in the file. */
  readonly index: number;
  readonly value: unknown;
  /** 1-based line where the document's content starts. */
  readonly line: number;
  readonly positions: PositionIndex;
}

/** A document that could not be read; the others in the stream still are. */
export interface DocumentProblem {
  readonly index: number;
  readonly code: 'yaml-syntax' | 'alias-limit' | 'too-large';
  readonly message: string;
  readonly hint: string;
  readonly line: number;
  readonly column: number;
}

export interface YamlStreamResult {
  readonly documents: ParsedDocument[];
  readonly problems: DocumentProblem[];
  /** Documents with no content at all (`---` followed by `---`). Counted, not reported. */
  readonly emptyDocuments: number;
}

export interface YamlReadLimits {
  /** Largest document, in characters, that is parsed. */
  readonly maxDocumentChars: number;
  /** Most nodes that aliases may expand to in one document (billion-laughs protection). */
  readonly maxAliasNodes: number;
}

export const DEFAULT_YAML_LIMITS: YamlReadLimits = {
  // No Kubernetes object comes near this: the API server rejects requests over 3 MiB.
  maxDocumentChars: 16 * 1024 * 1024,
  maxAliasNodes: 100_000,
};

/**
 * Kubernetes decodes YAML with go-yaml v2 rules (YAML 1.1: `yes`/`on` are booleans, `0644` is octal,
 * `<<` merges), so Vigil reads it the same way. Sexagesimal numbers and timestamps are left as
 * strings, as go-yaml leaves them for the JSON the API server sees.
 */
function kubernetesTags(tags: Tags): Tags {
  return tags.filter((tag) => {
    if (typeof tag !== 'object' || !('tag' in tag)) return true;
    if (tag.tag === 'tag:yaml.org,2002:timestamp') return false;
    return !('format' in tag && tag.format === 'TIME');
  });
}

const PARSE_OPTIONS = {
  version: '1.1',
  customTags: kubernetesTags,
  prettyErrors: false,
  uniqueKeys: true,
} as const;

class AliasLimitError extends Error {}

/** Converts a YAML AST to plain data, recording the offset of every field as it goes. */
class Converter {
  private aliasNodes = 0;
  private readonly anchored = new Map<YamlNode, unknown>();
  private readonly inProgress = new Set<YamlNode>();
  private readonly sizes = new Map<YamlNode, number>();

  constructor(
    private readonly doc: Document,
    private readonly base: number,
    private readonly maxAliasNodes: number,
  ) {}

  value(node: unknown): unknown {
    if (isScalar(node)) return scalarValue(node.value);
    if (isMap(node)) return this.withAnchor(node, () => this.map(node.items));
    if (isSeq(node)) return this.withAnchor(node, () => this.seq(node.items));
    if (isAlias(node)) return this.alias(node);
    return null;
  }

  private withAnchor(node: YamlNode, build: () => unknown): unknown {
    if (node.anchor === undefined) return build();
    this.inProgress.add(node);
    const value = build();
    this.inProgress.delete(node);
    this.anchored.set(node, value);
    return value;
  }

  private alias(alias: Alias): unknown {
    const target = alias.resolve(this.doc) as YamlNode | undefined;
    if (target === undefined) return null;
    if (this.inProgress.has(target)) throw new AliasLimitError('an alias refers to a node that contains it');
    this.aliasNodes += this.sizeOf(target);
    if (this.aliasNodes > this.maxAliasNodes) {
      throw new AliasLimitError(
        `aliases expand to more than ${this.maxAliasNodes.toLocaleString('en-US')} nodes (a "billion laughs" document)`,
      );
    }
    return this.anchored.has(target) ? this.anchored.get(target) : this.value(target);
  }

  /** Node count of a subtree with its aliases expanded. */
  private sizeOf(node: unknown): number {
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as YamlNode | undefined;
      return target === undefined || this.inProgress.has(target) ? 1 : this.sizeOf(target);
    }
    if (!isMap(node) && !isSeq(node)) return 1;
    const known = this.sizes.get(node);
    if (known !== undefined) return known;
    let size = 1;
    for (const item of node.items) {
      if (isMap(node)) {
        const pair = item as { value: unknown };
        size += this.sizeOf(pair.value);
      } else {
        size += this.sizeOf(item);
      }
      if (size > this.maxAliasNodes) break;
    }
    this.sizes.set(node, size);
    return size;
  }

  private map(items: readonly { key: unknown; value: unknown }[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const entries: (string | number)[] = [];
    let merges: unknown[] | undefined;
    for (const pair of items) {
      const keyNode = pair.key;
      if (isScalar(keyNode) && isMergeKey(keyNode.value)) {
        (merges ??= []).push(pair.value);
        continue;
      }
      const key = this.keyOf(keyNode);
      setOwn(out, key, this.value(pair.value));
      entries.push(key, this.offsetOf(keyNode));
    }
    // YAML 1.1 merge keys: explicit keys win, then earlier merge sources over later ones.
    for (const merge of merges ?? []) {
      const offset = this.offsetOf(merge);
      const sources = isSeq(merge) ? merge.items : [merge];
      for (const source of sources) {
        const value = this.value(source);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
        for (const [key, v] of Object.entries(value)) {
          if (Object.hasOwn(out, key)) continue;
          setOwn(out, key, v);
          entries.push(key, offset);
        }
      }
    }
    recordOffsets(out, entries);
    return out;
  }

  private seq(items: readonly unknown[]): unknown[] {
    const out: unknown[] = new Array<unknown>(items.length);
    const entries: number[] = new Array<number>(items.length);
    for (let i = 0; i < items.length; i++) {
      out[i] = this.value(items[i]);
      entries[i] = this.offsetOf(items[i]);
    }
    recordOffsets(out, entries);
    return out;
  }

  private keyOf(node: unknown): string {
    if (isScalar(node)) {
      const value = scalarValue(node.value);
      return typeof value === 'string' ? value : String(value);
    }
    if (node === null || node === undefined) return 'null';
    return JSON.stringify(this.value(node));
  }

  private offsetOf(node: unknown): number {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    return this.base + (range?.[0] ?? 0);
  }
}

/** Assign a property; `__proto__` becomes an own property instead of replacing the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isMergeKey(value: unknown): boolean {
  return (typeof value === 'symbol' && value.description === '<<') || value === '<<';
}

function scalarValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'symbol':
      return value.description ?? '';
    case 'undefined':
    case 'function':
      return null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value);
  }
}

const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;
const ONLY_PREAMBLE = /^(?:[ \t]*(?:#[^\n]*|%[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*|%[^\n]*)?$/;

/**
 * Split a stream at its `---` markers. A `---` at the start of a line always begins a document (the
 * YAML spec forbids it inside any scalar), so each piece can be parsed on its own: a broken document
 * cannot swallow the next, and an oversized one is refused before it costs anything.
 */
function splitDocuments(text: string): { start: number; text: string }[] {
  const starts: number[] = [];
  DOCUMENT_START.lastIndex = 0;
  for (let m = DOCUMENT_START.exec(text); m !== null; m = DOCUMENT_START.exec(text)) starts.push(m.index);
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0);
  const chunks: { start: number; text: string }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    const end = i + 1 < starts.length ? (starts[i + 1] as number) : text.length;
    chunks.push({ start, text: text.slice(start, end) });
  }
  // Comments and directives before the first marker belong to the first document.
  const first = chunks[0];
  const second = chunks[1];
  if (first !== undefined && second !== undefined && first.text.length < 65536 && ONLY_PREAMBLE.test(first.text)) {
    chunks.splice(0, 2, { start: first.start, text: first.text + second.text });
  }
  return chunks;
}

/** Parse a multi-document YAML stream. Never throws: problems are returned per document. */
export function parseYamlStream(text: string, lines: LineIndex, limits: YamlReadLimits = DEFAULT_YAML_LIMITS): YamlStreamResult {
  const documents: ParsedDocument[] = [];
  const problems: DocumentProblem[] = [];
  let emptyDocuments = 0;
  let index = 0;
  for (const chunk of splitDocuments(text)) {
    if (chunk.text.length > limits.maxDocumentChars) {
      const at = lines.position(chunk.start);
      problems.push({
        index: index++,
        code: 'too-large',
        message: `document is ${formatMiB(chunk.text.length)}, over the ${formatMiB(limits.maxDocumentChars)} limit for one YAML document`,
        hint: 'No single Kubernetes object is this large (the API server caps requests at 3 MiB). If this is a List dump, write it as JSON (kubectl get -o json) or raise --max-document-size.',
        ...at,
      });
      continue;
    }
    const parsed = parseAllDocuments(chunk.text, PARSE_OPTIONS);
    const docs = Array.isArray(parsed) ? parsed : [];
    for (const doc of docs) {
      const docIndex = index++;
      const error = doc.errors[0];
      if (error !== undefined) {
        const at = lines.position(chunk.start + error.pos[0]);
        const duplicateKey = error.code === 'DUPLICATE_KEY' ? keyTextAt(chunk.text, error.pos[0]) : undefined;
        problems.push({
          index: docIndex,
          code: 'yaml-syntax',
          message:
            duplicateKey === undefined
              ? `YAML syntax error: ${firstLine(error.message)}`
              : `YAML syntax error: the key "${duplicateKey}" appears twice in one mapping`,
          hint:
            error.code === 'DUPLICATE_KEY'
              ? 'Remove one of the repeated keys: kubectl and the API server reject a mapping that repeats a key.'
              : 'Fix the YAML at this line (`kubectl apply --dry-run=client -f FILE` reports the same problem).',
          ...at,
        });
        continue;
      }
      // `---` at the end of a file, or a document of only comments, is empty; kubectl skips it too.
      if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
        emptyDocuments++;
        continue;
      }
      const converter = new Converter(doc, chunk.start, limits.maxAliasNodes);
      const rootOffset = chunk.start + doc.contents.range[0];
      try {
        const value = converter.value(doc.contents);
        documents.push({
          index: docIndex,
          value,
          line: lines.position(rootOffset).line,
          positions: treePositions(value, rootOffset, lines),
        });
      } catch (err: unknown) {
        if (!(err instanceof AliasLimitError)) throw err;
        problems.push({
          index: docIndex,
          code: 'alias-limit',
          message: `refused: ${err.message}`,
          hint: 'Kubernetes manifests do not need deep YAML aliasing; expand the anchors by hand or remove them.',
          ...lines.position(rootOffset),
        });
      }
    }
  }
  return { documents, problems, emptyDocuments };
}

/** The plain key that starts at `offset` (for naming a duplicate key). */
function keyTextAt(text: string, offset: number): string | undefined {
  const match = /^["']?([^"'\n:]{1,100})/.exec(text.slice(offset, offset + 120));
  return match?.[1]?.trim();
}

function firstLine(message: string): string {
  const newline = message.indexOf('\n');
  return newline === -1 ? message : message.slice(0, newline);
}

function formatMiB(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(1)} MiB`;
}
