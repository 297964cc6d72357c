/**
 * How audit events are spread over JetStream subjects: `vigil.audit.<cluster>.<partition>`, the
 * partition being a stable hash of the acting identity. Every rate window, first-seen memory and
 * sequence keyed by the actor then lives in one partition, hence on one worker at a time.
 */

/** Subject prefix of every audit subject; the stream captures `vigil.audit.>`. */
export const SUBJECT_PREFIX = 'vigil.audit';

/** Partitions when none is given: enough to spread over a dozen workers, few enough to stay cheap. */
export const DEFAULT_PARTITIONS = 16;

/** Most partitions accepted (each is a durable consumer). */
export const MAX_PARTITIONS = 1024;

/**
 * FNV-1a (32 bit) over the UTF-8 bytes: stable across processes, versions and platforms, which
 * `String.prototype` hashing is not. Not a security boundary: the partition only spreads load.
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The partition of an acting identity (`actor.username`). */
export function partitionOf(actor: string, partitions: number): number {
  return fnv1a(actor) % partitions;
}

/**
 * A cluster name as one NATS subject token. Tokens may not hold `.`, `*`, `>` or whitespace (NATS
 * subject rules), and kube context names often hold dots and colons (`arn:aws:eks:…`), so every byte
 * outside `[A-Za-z0-9_-]` becomes `=xx` (hex; `=` is valid in subjects, consumer names and KV keys): two names never share a token.
 */
export function subjectToken(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out === '' ? '=' : out;
}

/** `vigil.audit.<cluster>.<partition>` */
export function subjectOf(cluster: string, partition: number): string {
  return `${SUBJECT_PREFIX}.${subjectToken(cluster)}.${partition}`;
}

/** Parse and check a partition count given on the command line. */
export function parsePartitions(text: string): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= MAX_PARTITIONS ? n : undefined;
}

/** MurmurHash3's finaliser: FNV alone spreads short, similar keys poorly. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Rendezvous (highest random weight) hashing: the worker a partition (or another lane, by name) belongs to among the live ones.
 * When a worker joins or leaves only the partitions it wins or held move; every worker computes the
 * same answer from the same member list, with no coordinator.
 */
export function ownerOf(partition: number | string, workers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const worker of workers) {
    const weight = mix(fnv1a(`${worker}\u0000${partition}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && worker < best)) {
      best = worker;
      bestWeight = weight;
    }
  }
  return best;
}
