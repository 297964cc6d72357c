import type { InputProblem } from '../core/errors.js';
import { jsonPositions } from './json-positions.js';
import { LineIndex } from './line-index.js';
import { objectsOfDocument, type SourcedObject } from './manifest-objects.js';
import { lazyPositions } from './positions.js';
import { DEFAULT_YAML_LIMITS, parseYamlStream, type YamlReadLimits } from './yaml-documents.js';

/** Counts of what was read, so that nothing skipped goes unmentioned. */
export interface ReadStats {
  files: number;
  documents: number;
  emptyDocuments: number;
  /** Documents (or List items) that yielded no object because of a problem. */
  skippedDocuments: number;
  objects: number;
}

export function emptyStats(): ReadStats {
  return { files: 0, documents: 0, emptyDocuments: 0, skippedDocuments: 0, objects: 0 };
}

export interface TextReadResult {
  readonly objects: SourcedObject[];
  readonly problems: InputProblem[];
  readonly stats: ReadStats;
}

export type TextFormat = 'yaml' | 'json' | 'auto';

/**
 * Read the Kubernetes objects in a text (a file's contents, stdin, kustomize output). JSON is parsed
 * with the fast native parser and located lazily; YAML is parsed document by document with positions.
 * Never throws on bad input: every problem comes back with file, document and line.
 */
export function readManifestText(
  text: string,
  file: string,
  format: TextFormat = 'auto',
  limits: YamlReadLimits = DEFAULT_YAML_LIMITS,
  options: { readonly withPositions?: boolean } = {},
): TextReadResult {
  const problems: InputProblem[] = [];
  const stats = emptyStats();
  const objects: SourcedObject[] = [];
  const withPositions = options.withPositions ?? true;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const looksJson = format === 'json' || (format === 'auto' && /^\s*[[{]/.test(body));

  if (looksJson) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(body);
      parsed = true;
    } catch {
      // Not strict JSON: the YAML reader below accepts JSON-with-comments and reports real errors with lines.
    }
    if (parsed) {
      stats.documents = 1;
      const before = problems.length;
      const found = objectsOfDocument(
        {
          file,
          index: 0,
          value,
          line: undefined,
          lazyPositions: true,
          positions: withPositions ? lazyPositions(() => jsonPositions(body, new LineIndex(body))) : undefined,
        },
        problems,
      );
      objects.push(...found);
      stats.objects = found.length;
      stats.skippedDocuments = problems.length - before;
      return { objects, problems, stats };
    }
  }

  const lines = new LineIndex(body);
  const stream = parseYamlStream(body, lines, limits);
  stats.documents = stream.documents.length + stream.problems.length + stream.emptyDocuments;
  stats.emptyDocuments = stream.emptyDocuments;
  for (const p of stream.problems) {
    problems.push({
      code: p.code,
      level: 'error',
      location: { file, documentIndex: p.index, line: p.line, column: p.column },
      message: p.message,
      hint: p.hint,
    });
  }
  stats.skippedDocuments = stream.problems.length;
  for (const doc of stream.documents) {
    const before = problems.length;
    const found = objectsOfDocument(
      {
        file,
        index: doc.index,
        value: doc.value,
        line: withPositions ? doc.line : undefined,
        positions: withPositions ? doc.positions : undefined,
      },
      problems,
    );
    stats.skippedDocuments += problems.length - before;
    objects.push(...found);
  }
  stats.objects = objects.length;
  return { objects, problems, stats };
}
