import { writeFileSync } from 'node:fs';

import { describeError, UsageError, VigilError } from '../core/errors.js';

/** Where a command reads and writes; injectable so commands run in-process in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly readStdin?: () => Promise<string>;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** Write a command's output to a file, or to stdout. */
export function emit(io: CliIo, text: string, outputFile: string | undefined): void {
  if (outputFile === undefined || outputFile === '-') {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileSync(outputFile, text);
  } catch (err: unknown) {
    throw new VigilError(`cannot write ${outputFile}: ${describeError(err)}`, {
      hint: 'Check that the folder exists and is writable.',
      cause: err,
    });
  }
}

/** Print an error the way every command does: what went wrong, then what to do. Returns the exit code. */
export function reportError(io: CliIo, err: unknown): number {
  if (err instanceof VigilError) {
    io.stderr.write(`vigil: ${err.message}\n`);
    if (err.hint !== undefined) io.stderr.write(`  hint: ${err.hint}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`vigil: unexpected error: ${describeError(err)}\n`);
  if (err instanceof Error && err.stack !== undefined && io.env.VIGIL_DEBUG !== undefined) io.stderr.write(`${err.stack}\n`);
  io.stderr.write('  This is a bug in Vigil; please report it with the command you ran (set VIGIL_DEBUG=1 for the stack).\n');
  return EXIT.usage;
}

/** Parse a comma- or space-separated list flag that may be given several times. */
export function listOption(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** Parse a positive size in MiB. */
export function mebibytes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`expected a size in MiB, got "${value}"`);
  return Math.floor(n * 1024 * 1024);
}
