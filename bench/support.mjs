// Shared helpers for benchmarks: timing with warm-up, and paths to ../shared.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedPath = (...segments) => join(repoRoot, '..', 'shared', ...segments);

/** Median wall time in ms of `fn` over `runs` runs after `warmup` runs. */
export async function timeMedian(fn, { runs = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
