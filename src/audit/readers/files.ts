import { createReadStream, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import type { InputProblem } from '../../core/errors.js';
import { readAuditLines, type AuditReadItem, type ReadCounts } from './parse-lines.js';

/** An audit log file to read, in the order it should be read (oldest first). */
export interface AuditFile {
  readonly path: string;
  /** Read from standard input. */
  readonly stdin?: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

// Names a rotated audit log takes: kube-apiserver's lumberjack backups
// (`audit-2024-05-01T10-00-00.000.log[.gz]`), logrotate's numbered copies (`audit.log.1`, `audit.log.2.gz`)
// and dated copies (`audit.log-20240501[.gz]`).
const LUMBERJACK = /-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.[^.]+(?:\.gz)?$/;
const NUMBERED = /\.(\d+)(?:\.gz)?$/;
const DATED = /-(\d{8,10})(?:\.gz)?$/;
const LOG_LIKE = /\.(log|json|jsonl|ndjson)(\.\d+)?(\.gz)?$|\.log-\d{8,10}(\.gz)?$|\.gz$/i;

/**
 * Sort key that puts a rotated set in the order it was written: for rotated backups the time or the
 * number in the name (a higher number is older), for the live file last.
 */
function rotationKey(path: string, stats: Stats | undefined): [number, string] {
  const name = basename(path);
  const lumberjack = LUMBERJACK.exec(name);
  if (lumberjack !== null) return [Date.parse(`${(lumberjack[1] as string).replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3')}Z`) || 0, name];
  const numbered = NUMBERED.exec(name);
  if (numbered !== null) return [-Number(numbered[1]) - 1e15, name];
  const dated = DATED.exec(name);
  if (dated !== null) return [Number(dated[1]), name];
  return [stats?.mtimeMs ?? Number.MAX_SAFE_INTEGER, name];
}

/**
 * Resolve the paths given on the command line to audit files: a file as is, `-` for stdin, a folder
 * to its log files (rotated backups included) in the order they were written. Missing paths become
 * problems, not exceptions.
 */
export function expandAuditPaths(paths: readonly string[]): { files: AuditFile[]; problems: InputProblem[] } {
  const files: AuditFile[] = [];
  const problems: InputProblem[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push({ path: '-', stdin: true });
      continue;
    }
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch {
      problems.push({
        code: 'not-found',
        level: 'error',
        location: { file: path },
        message: 'no such file or folder',
        hint: 'Give the audit log file (--audit-log-path of kube-apiserver) or the folder it rotates in.',
      });
      continue;
    }
    if (!stats.isDirectory()) {
      files.push({ path });
      continue;
    }
    const entries = readdirSync(path)
      .filter((name) => LOG_LIKE.test(name))
      .map((name) => join(path, name))
      .flatMap((p) => {
        try {
          const s = statSync(p);
          return s.isFile() ? [{ p, s }] : [];
        } catch {
          return [];
        }
      });
    // Older numbered backups have higher numbers and must come first; live files (no suffix) last.
    entries.sort((a, b) => {
      const ka = rotationKey(a.p, a.s);
      const kb = rotationKey(b.p, b.s);
      return ka[0] - kb[0] || (ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0);
    });
    if (entries.length === 0)
      problems.push({
        code: 'empty',
        level: 'error',
        location: { file: path },
        message: 'the folder holds no audit log files (*.log, *.log.N, *.gz, *.json, *.jsonl)',
        hint: 'Point at the folder of --audit-log-path or at the files themselves.',
      });
    for (const { p } of entries) files.push({ path: p });
  }
  return { files, problems };
}

/** A byte stream of a file, gunzipped when it starts with the gzip magic bytes (whatever its name). */
export async function openAuditStream(file: AuditFile, stdin: NodeJS.ReadableStream = process.stdin): Promise<Readable> {
  const raw: AsyncIterable<Buffer> = file.stdin === true ? (stdin as AsyncIterable<Buffer>) : createReadStream(file.path);
  const chunks = (async function* () {
    for await (const chunk of raw) yield chunk;
  })();
  const first = await chunks.next();
  const head = first.done === true ? Buffer.alloc(0) : first.value;
  const gz = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const replayed = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      yield* chunks;
    })(),
    { objectMode: false },
  );
  return gz ? replayed.pipe(createGunzip()) : replayed;
}

/**
 * Read audit events from files (plain or gzip), folders of rotated logs and stdin, in order. Read
 * failures of one file become problems; the others are still read.
 */
export async function* readAuditFiles(
  paths: readonly string[],
  counts: ReadCounts,
  options: { stdin?: NodeJS.ReadableStream } = {},
): AsyncGenerator<AuditReadItem> {
  const { files, problems } = expandAuditPaths(paths);
  for (const p of problems) yield { kind: 'problem', problem: p };
  for (const file of files) {
    counts.files++;
    const name = file.stdin === true ? '-' : file.path;
    try {
      const stream = await openAuditStream(file, options.stdin);
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      yield* readAuditLines(lines, name, counts);
    } catch (err: unknown) {
      counts.malformed++;
      yield {
        kind: 'problem',
        problem: {
          code: 'unreadable',
          level: 'error',
          location: { file: name },
          message: `cannot read: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'Check the file is readable; a .gz file that is cut short reads up to the cut.',
        },
      };
    }
  }
}
