import { createInterface } from 'node:readline';

import { expandAuditPaths, openAuditStream } from '../audit/readers/files.js';
import { followLines } from '../audit/readers/follow.js';
import type { InputProblem } from '../core/errors.js';
import { toFalcoAlert, type FalcoAlert } from './falco-alert.js';

/** Where an alert was read: a file (`-` for stdin, `http` for the receiver) and its line (or request number). */
export interface AlertOrigin {
  readonly file: string;
  readonly line: number;
}

/** One thing a reader yields: an alert, or a problem that was counted and stepped over. */
export type FalcoReadItem =
  | { readonly kind: 'alert'; readonly alert: FalcoAlert; readonly origin: AlertOrigin }
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/** What a reader saw, so that nothing skipped goes unmentioned. */
export interface FalcoReadCounts {
  files: number;
  lines: number;
  alerts: number;
  /** Lines or items that were not Falco alerts (bad JSON, missing rule, unknown priority…). */
  malformed: number;
}

export function emptyFalcoCounts(): FalcoReadCounts {
  return { files: 0, lines: 0, alerts: 0, malformed: 0 };
}

function problem(file: string, line: number, code: InputProblem['code'], message: string, hint: string): FalcoReadItem {
  return { kind: 'problem', problem: { code, level: 'error', location: { file, line }, message, hint } };
}

/** The alerts of one parsed JSON value: an alert, or an array of alerts. Bad items become problems. */
export function falcoItemsOfValue(value: unknown, file: string, line: number, out: FalcoReadItem[]): void {
  if (Array.isArray(value)) {
    for (const item of value) falcoItemsOfValue(item, file, line, out);
    return;
  }
  const alert = toFalcoAlert(value);
  if ('error' in alert)
    out.push(
      problem(
        file,
        line,
        'not-kubernetes',
        alert.error,
        'Falco writes one JSON alert per line with json_output: true (and json_include_output_fields_property: true for context).',
      ),
    );
  else out.push({ kind: 'alert', alert, origin: { file, line } });
}

/** Parse one line of Falco's JSON output. Blank lines yield nothing. */
export function parseFalcoLine(text: string, file: string, line: number, out: FalcoReadItem[]): void {
  const trimmed = text.trim();
  if (trimmed === '') return;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err: unknown) {
    out.push(
      problem(
        file,
        line,
        'json-syntax',
        `not JSON: ${err instanceof Error ? err.message : String(err)}`,
        trimmed.startsWith('{')
          ? 'The line may be cut short (a log cut mid-write); the lines around it are still read.'
          : 'This looks like Falco text output: set json_output: true in falco.yaml (or -o json_output=true).',
      ),
    );
    return;
  }
  falcoItemsOfValue(value, file, line, out);
}

/** Read Falco JSON lines from a stream of lines, yielding alerts and problems in order. */
export async function* readFalcoLines(lines: AsyncIterable<string>, file: string, counts: FalcoReadCounts): AsyncGenerator<FalcoReadItem> {
  let lineNumber = 0;
  const out: FalcoReadItem[] = [];
  for await (const text of lines) {
    lineNumber++;
    counts.lines++;
    parseFalcoLine(text, file, lineNumber, out);
    for (const item of out) {
      if (item.kind === 'alert') counts.alerts++;
      else counts.malformed++;
      yield item;
    }
    out.length = 0;
  }
}

export interface ReadFalcoOptions {
  readonly stdin?: NodeJS.ReadableStream;
  /** Keep reading the one file as it grows, across rotation, until the signal aborts. */
  readonly follow?: { readonly signal: AbortSignal; readonly fromStart?: boolean; readonly pollMs?: number };
}

/**
 * Read Falco alerts from files (plain or gzip), folders of rotated files and stdin, in order; or
 * follow one file (`file_output` with `keep_alive`, or a container log). A file that cannot be read
 * becomes a problem; the others are still read.
 */
export async function* readFalcoFiles(
  paths: readonly string[],
  counts: FalcoReadCounts,
  options: ReadFalcoOptions = {},
): AsyncGenerator<FalcoReadItem> {
  if (options.follow !== undefined) {
    const [path] = paths;
    if (path === undefined || paths.length !== 1 || path === '-') throw new Error('follow reads exactly one file');
    counts.files++;
    yield* readFalcoLines(
      followLines(path, {
        signal: options.follow.signal,
        ...(options.follow.fromStart === undefined ? {} : { fromStart: options.follow.fromStart }),
        ...(options.follow.pollMs === undefined ? {} : { pollMs: options.follow.pollMs }),
      }),
      path,
      counts,
    );
    return;
  }
  // The path rules (files, `-`, folders of rotated logs, gzip) are the audit readers'.
  const { files, problems } = expandAuditPaths(paths);
  for (const p of problems) {
    counts.malformed++;
    yield {
      kind: 'problem',
      problem: {
        ...p,
        hint:
          p.code === 'not-found'
            ? "Give Falco's file_output filename, a folder of its rotated files, or - for stdin."
            : 'Point at the folder of Falco’s file_output or at the files themselves.',
      },
    };
  }
  for (const file of files) {
    counts.files++;
    const name = file.stdin === true ? '-' : file.path;
    try {
      const stream = await openAuditStream(file, options.stdin);
      yield* readFalcoLines(createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }), name, counts);
    } catch (err: unknown) {
      counts.malformed++;
      yield problem(
        name,
        0,
        'unreadable',
        `cannot read: ${err instanceof Error ? err.message : String(err)}`,
        'Check the file is readable; a .gz file that is cut short reads up to the cut.',
      );
    }
  }
}
