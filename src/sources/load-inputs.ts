import { readFileSync, statSync } from 'node:fs';

import type { InputProblem } from '../core/errors.js';
import { expandInputs, type InputTarget } from './file-inputs.js';
import { renderKustomization } from './kustomize.js';
import type { SourcedObject } from './manifest-objects.js';
import { emptyStats, readManifestText, type ReadStats, type TextFormat } from './read-manifest-text.js';
import { DEFAULT_YAML_LIMITS, type YamlReadLimits } from './yaml-documents.js';

export interface LoadOptions {
  readonly limits?: YamlReadLimits;
  /** Files larger than this are refused before reading. */
  readonly maxFileBytes?: number;
  /** Reads standard input; injectable for tests. */
  readonly readStdin?: () => Promise<string>;
  /** Render kustomization folders (default true). */
  readonly kustomize?: boolean;
}

export interface LoadResult {
  readonly objects: SourcedObject[];
  readonly problems: InputProblem[];
  readonly stats: ReadStats;
}

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Read all of standard input as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode file bytes as text, or say why they are not a text manifest. */
function decodeText(bytes: Buffer): { text: string } | { problem: Pick<InputProblem, 'code' | 'message' | 'hint'> } {
  if (bytes.subarray(0, 8192).includes(0)) {
    return { problem: { code: 'binary', message: 'binary file, not YAML or JSON', hint: 'Leave binary files out of the scan paths.' } };
  }
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return {
      problem: {
        code: 'binary',
        message: 'not valid UTF-8 text',
        hint: 'Kubernetes manifests are UTF-8; re-encode the file (for example with iconv).',
      },
    };
  }
}

function formatFor(path: string): TextFormat {
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

function addStats(total: ReadStats, part: ReadStats): void {
  total.documents += part.documents;
  total.emptyDocuments += part.emptyDocuments;
  total.skippedDocuments += part.skippedDocuments;
  total.objects += part.objects;
}

/**
 * Read every object from files, folders, globs, kustomizations and stdin. Never throws on bad input:
 * unreadable files and bad documents come back as problems, and everything readable is returned.
 */
export async function loadInputs(inputs: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const { targets, problems } = expandInputs(inputs);
  const objects: SourcedObject[] = [];
  const stats = emptyStats();

  const readText = (text: string, file: string, format: TextFormat, withPositions = true): void => {
    stats.files++;
    if (text.trim() === '') {
      problems.push({
        code: 'empty',
        level: 'warning',
        location: { file },
        message: 'empty file: no documents',
        hint: 'Remove it or add the manifests it should hold.',
      });
      return;
    }
    const result = readManifestText(text, file, format, limits, { withPositions });
    objects.push(...result.objects);
    problems.push(...result.problems);
    addStats(stats, result.stats);
  };

  const readTarget = async (target: InputTarget): Promise<void> => {
    switch (target.kind) {
      case 'stdin': {
        const text = await (options.readStdin ?? readStdin)();
        readText(text, '-', 'auto');
        return;
      }
      case 'kustomize': {
        if (options.kustomize === false) return;
        const rendered = renderKustomization(target.dir);
        if (!rendered.ok) {
          stats.files++;
          problems.push({
            code: 'kustomize',
            level: 'error',
            location: { file: target.file },
            message: rendered.message,
            hint: rendered.hint,
          });
          return;
        }
        // Lines of rendered output would not point into any file the user has; name the kustomization only.
        readText(rendered.text, target.file, 'yaml', false);
        return;
      }
      case 'file': {
        const file = target.path;
        let size: number;
        try {
          size = statSync(file).size;
        } catch (err: unknown) {
          problems.push({
            code: 'unreadable',
            level: 'error',
            location: { file },
            message: `cannot read file: ${(err as Error).message}`,
            hint: 'Check the path and its permissions.',
          });
          return;
        }
        if (size > maxFileBytes) {
          stats.files++;
          problems.push({
            code: 'too-large',
            level: 'error',
            location: { file },
            message: `file is ${(size / 1048576).toFixed(1)} MiB, over the ${(maxFileBytes / 1048576).toFixed(0)} MiB limit`,
            hint: 'Split it, or raise --max-file-size if it really is one set of manifests.',
          });
          return;
        }
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (err: unknown) {
          problems.push({
            code: 'unreadable',
            level: 'error',
            location: { file },
            message: `cannot read file: ${(err as Error).message}`,
            hint: 'Check the path and its permissions.',
          });
          return;
        }
        const decoded = decodeText(bytes);
        if ('problem' in decoded) {
          stats.files++;
          problems.push({ ...decoded.problem, level: 'error', location: { file } });
          return;
        }
        readText(decoded.text, file, formatFor(file));
        return;
      }
    }
  };

  // Give the event loop a turn now and then, so a long scan inside a server or daemon stays responsive.
  let lastYield = performance.now();
  for (const target of targets) {
    await readTarget(target);
    if (performance.now() - lastYield > 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  return { objects, problems, stats };
}
