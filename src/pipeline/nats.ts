import { readFileSync } from 'node:fs';

import { jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

import { describeError, UsageError, VigilError } from '../core/errors.js';
import { SUBJECT_PREFIX } from './partition.js';

/** The JetStream stream that holds every audit subject of every cluster. */
export const AUDIT_STREAM = 'VIGIL_AUDIT';

/** How to reach NATS: the URL, and optionally credentials and TLS material (file paths). */
export interface NatsOptions {
  /** `nats://host:port` (or `tls://…`); several servers may be given comma-separated. */
  readonly url: string;
  /** A `.creds` file (user JWT and NKey seed), as `nsc` or the account operator issues it. */
  readonly credsFile?: string;
  /** CA that signed the server certificate (TLS). */
  readonly caFile?: string;
  /** Client certificate and key (mutual TLS). */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Connection name shown by the server's monitoring. */
  readonly name?: string;
}

/** Split and check `--publish` / `--consume` URLs. */
export function natsServers(url: string, flag: string): string[] {
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new UsageError(`${flag} needs a NATS URL (nats://host:4222)`);
  for (const s of servers)
    if (!/^(nats|tls):\/\/[^\s/]+\/?$/i.test(s))
      throw new UsageError(`${flag}: "${s}" is not a NATS URL`, { hint: 'Use nats://host:4222 or tls://host:4222.' });
  return servers;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${what} ${path}: ${describeError(err)}`, { cause: err });
  }
}

/** Connect to NATS with the given credentials and TLS; retries while the server is starting. */
export async function connectNats(options: NatsOptions): Promise<NatsConnection> {
  const servers = natsServers(options.url, 'NATS URL');
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) throw new UsageError('--nats-cert and --nats-key go together');
  const tlsWanted =
    options.caFile !== undefined || options.certFile !== undefined || servers.some((s) => s.toLowerCase().startsWith('tls://'));
  const config: NodeConnectionOptions = {
    servers,
    name: options.name ?? 'vigil',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    timeout: 10_000,
    ...(options.credsFile === undefined
      ? {}
      : { authenticator: credsAuthenticator(new TextEncoder().encode(readText(options.credsFile, 'NATS credentials file'))) }),
    ...(tlsWanted
      ? {
          tls: {
            ...(options.caFile === undefined ? {} : { ca: readText(options.caFile, 'NATS CA file') }),
            ...(options.certFile === undefined ? {} : { cert: readText(options.certFile, 'NATS client certificate') }),
            ...(options.keyFile === undefined ? {} : { key: readText(options.keyFile, 'NATS client key') }),
          },
        }
      : {}),
  };
  try {
    return await connect(config);
  } catch (err: unknown) {
    throw new VigilError(`cannot connect to NATS at ${servers.join(', ')}: ${describeError(err)}`, { cause: err });
  }
}

export interface StreamLimits {
  /** How long events stay in the stream (ms): the horizon for replays and for slow workers. */
  readonly maxAgeMs?: number;
  /** Window in which a re-published batch (same message id) is dropped as a duplicate (ms). */
  readonly duplicateWindowMs?: number;
}

/** Default retention of the audit stream: a day. */
export const DEFAULT_STREAM_MAX_AGE_MS = 24 * 3600_000;

const nanos = (ms: number): number => ms * 1_000_000;

/**
 * Make sure the audit stream exists (file storage, limits retention). Several receivers and workers
 * may start at once: adding a stream with an identical configuration is idempotent in JetStream, and
 * an existing stream is used as it is configured.
 */
export async function ensureAuditStream(jsm: JetStreamManager, limits: StreamLimits = {}): Promise<void> {
  try {
    await jsm.streams.info(AUDIT_STREAM);
    return;
  } catch {
    // Not there yet: add it below.
  }
  const config: Partial<StreamConfig> & { name: string } = {
    name: AUDIT_STREAM,
    subjects: [`${SUBJECT_PREFIX}.>`],
    max_age: nanos(limits.maxAgeMs ?? DEFAULT_STREAM_MAX_AGE_MS),
    duplicate_window: nanos(limits.duplicateWindowMs ?? 120_000),
  };
  try {
    await jsm.streams.add(config);
  } catch (err: unknown) {
    // Another process may have added it in between.
    try {
      await jsm.streams.info(AUDIT_STREAM);
    } catch {
      throw new VigilError(`cannot create the JetStream stream ${AUDIT_STREAM}: ${describeError(err)}`, {
        cause: err,
        hint: 'Is JetStream enabled on the server (nats-server -js)? Do the credentials allow $JS.API.STREAM.CREATE?',
      });
    }
  }
}

export { jetstreamManager };
