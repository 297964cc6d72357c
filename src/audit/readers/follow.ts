import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StringDecoder } from 'node:string_decoder';

export interface FollowOptions {
  /** Stop following (the generator returns after the lines already read). */
  readonly signal: AbortSignal;
  /** Read the file from its start (default: only lines written from now on, like `tail -F -n 0`). */
  readonly fromStart?: boolean;
  /** How often to look for new data and rotation, in ms (default 250). */
  readonly pollMs?: number;
}

const CHUNK = 1024 * 1024;

/**
 * The lines appended to a file, as `tail -F` follows it: when the file is renamed away and a new one
 * takes its name (logrotate, kube-apiserver's lumberjack), the rest of the old file is read to its end
 * and then the new file from its start; when it is truncated in place (copytruncate), reading restarts
 * at the start. A file that does not exist yet is waited for.
 */
export async function* followLines(path: string, options: FollowOptions): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 250;
  let fd: number | undefined;
  let ino = -1;
  let position = 0;
  let decoder = new StringDecoder('utf8');
  let carry = '';
  const buffer = Buffer.allocUnsafe(CHUNK);
  let first = true;

  /** Read what is there from the open file; returns the complete lines. */
  const drain = (): string[] => {
    const lines: string[] = [];
    if (fd === undefined) return lines;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, position);
      if (n <= 0) break;
      position += n;
      carry += decoder.write(buffer.subarray(0, n));
      let nl = carry.indexOf('\n');
      while (nl !== -1) {
        const line = carry.charCodeAt(nl - 1) === 13 ? carry.slice(0, nl - 1) : carry.slice(0, nl);
        lines.push(line);
        carry = carry.slice(nl + 1);
        nl = carry.indexOf('\n');
      }
    }
    return lines;
  };

  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };

  try {
    while (!options.signal.aborted) {
      let current: Stats | undefined;
      try {
        current = statSync(path);
      } catch {
        current = undefined;
      }
      if (fd === undefined && current !== undefined) {
        try {
          fd = openSync(path, 'r');
          const opened = fstatSync(fd);
          ino = opened.ino;
          position = first && options.fromStart !== true ? opened.size : 0;
          decoder = new StringDecoder('utf8');
          carry = '';
        } catch {
          fd = undefined;
        }
        first = false;
      } else if (fd !== undefined && current !== undefined && current.ino !== ino) {
        // Rotated: finish the old file (the writer may have added to it before the rename), then switch.
        yield* drain();
        if (carry !== '') yield carry;
        carry = '';
        close();
        continue;
      } else if (fd !== undefined && current !== undefined && current.size < position) {
        // Truncated in place: start again from the beginning.
        position = 0;
        carry = '';
        decoder = new StringDecoder('utf8');
      }
      first = false;
      const lines = drain();
      if (lines.length > 0) {
        yield* lines;
        continue;
      }
      try {
        await sleep(pollMs, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
    // Lines completed before the stop are still delivered.
    yield* drain();
  } finally {
    close();
  }
}
