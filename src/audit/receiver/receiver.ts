import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';

import type { InputProblem } from '../../core/errors.js';
import type { AuditEvent } from '../event.js';
import { itemsOfValue, type AuditReadItem } from '../readers/parse-lines.js';

export interface ReceiverTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA of client certificates to accept (mutual TLS); requests without a valid one are refused. */
  readonly clientCA?: string | Buffer;
}

/** The items of one request body, and the problems of the parts that were not items. */
export interface ParsedBatch<T> {
  readonly items: readonly T[];
  readonly problems: readonly InputProblem[];
}

/** Options of a JSON batch receiver: the transport, authentication and queue settings shared by every feed. */
export interface JsonReceiverOptions<T> {
  /** Address to bind (default 127.0.0.1: loopback only). */
  readonly host?: string;
  /** Port (default 8443; 0 picks a free one). */
  readonly port?: number;
  /** TLS material. Without it the receiver speaks plain HTTP, which is only allowed on loopback. */
  readonly tls?: ReceiverTls;
  /** Bearer tokens accepted (Authorization: Bearer …). */
  readonly tokens?: readonly string[];
  /** Also accept `Authorization: Basic` whose password is one of the tokens (senders that can only put credentials in the URL). */
  readonly basicAuth?: boolean;
  /** Path the sender posts to (default /v1/audit). */
  readonly path?: string;
  /** Largest request body accepted, in bytes (default 64 MiB). */
  readonly maxBodyBytes?: number;
  /** Events that may wait for processing before new batches are held back (default 50,000). */
  readonly queueCapacity?: number;
  /** How long a batch waits for room before it is answered 429 (default 5 s). */
  readonly backpressureWaitMs?: number;
  /** Handles a chunk of items (detection, sinks). Awaited before the next chunk; never called concurrently. */
  readonly handle: (items: readonly T[]) => Promise<void> | void;
  /** Turns a parsed JSON body into items; one bad item never hides the good ones beside it. */
  readonly parse: (value: unknown, batchNumber: number) => ParsedBatch<T>;
  /**
   * Gather the items of several queued batches into one chunk for the handler (default false: a chunk
   * never spans batches). Receivers of one item per request (Falco) need it to keep up under load.
   */
  readonly gatherBatches?: boolean;
  /** What a body should be, for the 400 answer to one that is not JSON. */
  readonly expected?: string;
  /**
   * Called with each batch's items before the batch is answered 200 (a durable hand-off, such as
   * publishing to JetStream): when it rejects, the batch is answered 503 with Retry-After and the
   * sender sends it again, so an acknowledged batch is never lost.
   */
  readonly accept?: (items: readonly T[]) => Promise<void>;
  /** Told why `accept` failed (the batch was answered 503). */
  readonly onAcceptError?: (err: unknown) => void;
  /** Told about every malformed item of a batch. */
  readonly onProblem?: (problem: InputProblem) => void;
  /** Serves GET /metrics (authenticated like the events path). */
  readonly metrics?: () => Promise<string>;
}

/** Options of the audit receiver: everything but the parser, which reads audit EventLists. */
export type ReceiverOptions = Omit<JsonReceiverOptions<AuditEvent>, 'parse' | 'expected'>;

/** What the receiver has done: every item (event) is accepted and then processed, or counted where it went. */
export interface ReceiverStats {
  /** Batches (requests) accepted with 200. */
  batchesAccepted: number;
  /** Events in accepted batches. */
  eventsAccepted: number;
  /** Events handed to the handler and finished. */
  eventsProcessed: number;
  /** Events whose handling threw (counted, the rest of the chunk still counts as processed). */
  eventsFailed: number;
  /** Items of accepted batches that were not audit events (malformed), reported through onProblem. */
  itemsMalformed: number;
  /** Batches answered 429 because the queue stayed full: not accepted, the API server retries them. */
  batchesBusy: number;
  /** Batches answered 503 because `accept` failed: not accepted, the API server retries them. */
  batchesUnavailable: number;
  /** Requests refused for authentication (401). */
  unauthorized: number;
  /** Requests refused as bad: not JSON, too large, wrong method or path (4xx). */
  badRequests: number;
  /** Events waiting now. */
  queued: number;
  /** Most events that waited at once. */
  maxQueued: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** True for loopback addresses, where plain HTTP is tolerated. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': status === 200 && body.startsWith('#') ? 'text/plain; version=0.0.4' : 'application/json',
    ...headers,
  });
  res.end(body);
}

function status(code: number, reason: string, message: string): string {
  // A metav1.Status, which is what the API server's webhook client expects to read on errors.
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: code < 400 ? 'Success' : 'Failure', code, reason, message });
}

/**
 * An HTTPS endpoint that receives JSON batches: POSTed bodies are authenticated (bearer token and/or
 * client certificate), parsed, queued and processed in order. When the queue is full a batch waits
 * for room, then is answered 429 with Retry-After. Nothing accepted is dropped: every item is
 * processed, or counted as failed. `AuditReceiver` and the Falco receiver (src/runtime) are two uses.
 */
export class JsonReceiver<T> {
  readonly stats: ReceiverStats = {
    batchesAccepted: 0,
    eventsAccepted: 0,
    eventsProcessed: 0,
    eventsFailed: 0,
    itemsMalformed: 0,
    batchesBusy: 0,
    batchesUnavailable: 0,
    unauthorized: 0,
    badRequests: 0,
    queued: 0,
    maxQueued: 0,
  };
  private readonly server: Server;
  private readonly queue: (readonly T[])[] = [];
  private readonly waiters: (() => void)[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly tokens: readonly Buffer[];
  private readonly path: string;
  private readonly capacity: number;

  constructor(private readonly options: JsonReceiverOptions<T>) {
    const host = options.host ?? '127.0.0.1';
    if (options.tls === undefined && !isLoopback(host))
      throw new Error(`refusing to serve plain HTTP on ${host}: give a TLS certificate and key, or bind to loopback`);
    if ((options.tokens ?? []).length === 0 && options.tls?.clientCA === undefined)
      throw new Error('the receiver needs authentication: a bearer token, or a client CA for certificates');
    this.tokens = (options.tokens ?? []).map((t) => Buffer.from(t));
    this.path = options.path ?? '/v1/audit';
    this.capacity = options.queueCapacity ?? 50_000;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, status(500, 'InternalError', 'internal error'));
        res.destroy(err instanceof Error ? err : undefined);
      });
    };
    this.server =
      options.tls === undefined
        ? createHttpServer(handler)
        : createHttpsServer(
            {
              cert: options.tls.cert,
              key: options.tls.key,
              ...(options.tls.clientCA === undefined ? {} : { ca: options.tls.clientCA, requestCert: true, rejectUnauthorized: false }),
              minVersion: 'TLSv1.2',
            },
            handler,
          );
    this.server.keepAliveTimeout = 65_000;
    this.server.requestTimeout = 120_000;
  }

  /** Start listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 8443, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve({ host, port: typeof address === 'object' && address !== null ? address.port : 0 });
      });
    });
  }

  /** Stop accepting, finish processing everything accepted, then close. */
  async close(): Promise<void> {
    this.closing = true;
    for (const wake of this.waiters.splice(0)) wake();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeIdleConnections();
    });
    await this.drained;
  }

  private authenticated(req: IncomingMessage): boolean {
    const socket = req.socket as Partial<TLSSocket>;
    if (this.options.tls?.clientCA !== undefined && socket.authorized === true) return true;
    const header = req.headers.authorization;
    let given: Buffer;
    if (header?.startsWith('Bearer ') === true) given = Buffer.from(header.slice(7).trim());
    else if (this.options.basicAuth === true && header?.startsWith('Basic ') === true) {
      // RFC 7617: base64(user-id ":" password); the user-id is not checked, the password is the token.
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
    } else return false;
    // Constant-time comparison against each configured token.
    return this.tokens.some((t) => t.length === given.length && timingSafeEqual(t, given));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      send(res, 200, '{"status":"ok"}');
      return;
    }
    if (!this.authenticated(req)) {
      this.stats.unauthorized++;
      req.resume();
      send(res, 401, status(401, 'Unauthorized', 'a valid bearer token or client certificate is required'), {
        'www-authenticate': 'Bearer',
      });
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && this.options.metrics !== undefined) {
      send(res, 200, await this.options.metrics());
      return;
    }
    if (path !== this.path || req.method !== 'POST') {
      this.stats.badRequests++;
      req.resume();
      send(
        res,
        path === this.path ? 405 : 404,
        status(path === this.path ? 405 : 404, 'NotFound', `POST ${this.options.expected ?? 'JSON'} to ${this.path}`),
      );
      return;
    }
    if (this.closing) {
      req.resume();
      send(res, 503, status(503, 'ServiceUnavailable', 'shutting down'), { 'retry-after': '1' });
      return;
    }
    // Backpressure before reading the body: while the queue is full the batch waits (TCP flow control
    // holds the sender), and after the wait it is refused with 429 so that the API server retries it.
    if (!(await this.room())) {
      this.stats.batchesBusy++;
      req.resume();
      send(res, 429, status(429, 'TooManyRequests', 'items are arriving faster than they are processed; retry'), {
        'retry-after': '1',
      });
      return;
    }
    const body = await this.readBody(req);
    if (body === undefined) {
      this.stats.badRequests++;
      send(res, 413, status(413, 'RequestEntityTooLarge', `the batch is over ${this.options.maxBodyBytes ?? 64 * 1024 * 1024} bytes`));
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      this.stats.badRequests++;
      send(res, 400, status(400, 'BadRequest', `the body is not JSON (expected ${this.options.expected ?? 'JSON'})`));
      return;
    }
    const batchNumber = this.stats.batchesAccepted + 1;
    const { items, problems } = this.options.parse(value, batchNumber);
    for (const problem of problems) {
      this.stats.itemsMalformed++;
      this.options.onProblem?.(problem);
    }
    if (this.options.accept !== undefined && items.length > 0) {
      try {
        await this.options.accept(items);
      } catch (err: unknown) {
        this.stats.batchesUnavailable++;
        this.options.onAcceptError?.(err);
        send(res, 503, status(503, 'ServiceUnavailable', 'the events could not be handed on; retry'), { 'retry-after': '1' });
        return;
      }
    }
    this.stats.batchesAccepted++;
    this.stats.eventsAccepted += items.length;
    if (items.length > 0) this.enqueue(items);
    send(res, 200, status(200, 'Accepted', `${items.length} accepted`));
  }

  private async room(): Promise<boolean> {
    const deadline = Date.now() + (this.options.backpressureWaitMs ?? 5000);
    while (this.stats.queued >= this.capacity && !this.closing) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return !this.closing;
  }

  private readBody(req: IncomingMessage): Promise<string | undefined> {
    const max = this.options.maxBodyBytes ?? 64 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > max) {
          tooLarge = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', reject);
    });
  }

  private enqueue(items: readonly T[]): void {
    this.queue.push(items);
    this.stats.queued += items.length;
    if (this.stats.queued > this.stats.maxQueued) this.stats.maxQueued = this.stats.queued;
    if (!this.draining) {
      this.draining = true;
      this.drained = this.drain();
    }
  }

  /**
   * Process queued items in order, in chunks of up to 500, yielding to the event loop between chunks
   * so requests keep flowing. With `gatherBatches`, small batches (one Falco alert per request) are
   * gathered into one chunk: handling one batch per event-loop turn would fall behind under load.
   */
  private async drain(): Promise<void> {
    try {
      let offset = 0;
      while (this.queue.length > 0) {
        const chunk: T[] = [];
        while (chunk.length < 500) {
          const batch = this.queue[0];
          if (batch === undefined) break;
          const take = Math.min(500 - chunk.length, batch.length - offset);
          for (let i = 0; i < take; i++) chunk.push(batch[offset + i] as T);
          offset += take;
          if (offset >= batch.length) {
            this.queue.shift();
            offset = 0;
            if (this.options.gatherBatches !== true) break;
          }
        }
        try {
          await this.options.handle(chunk);
        } catch {
          this.stats.eventsFailed += chunk.length;
        }
        this.stats.eventsProcessed += chunk.length;
        this.stats.queued -= chunk.length;
        for (const wake of this.waiters.splice(0)) wake();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
    }
  }
}

/** The audit EventList (or Event, or array of events) of a webhook body, as items and problems. */
export function parseAuditBatch(value: unknown, batchNumber: number): ParsedBatch<AuditEvent> {
  const read: AuditReadItem[] = [];
  itemsOfValue(value, 'webhook', batchNumber, read);
  const items: AuditEvent[] = [];
  const problems: InputProblem[] = [];
  for (const item of read) {
    if (item.kind === 'event') items.push(item.event);
    else problems.push(item.problem);
  }
  return { items, problems };
}

/**
 * An HTTPS endpoint for the API server's audit webhook backend (`--audit-webhook-config-file`):
 * POSTed EventList batches are authenticated (bearer token and/or client certificate), parsed, queued
 * and processed in order. When the queue is full a batch waits for room, then is answered 429 with
 * Retry-After: the API server's webhook client retries 429 with backoff, so events wait there instead
 * of being dropped here. Nothing accepted is dropped: every event is processed, or counted as failed.
 */
export class AuditReceiver extends JsonReceiver<AuditEvent> {
  constructor(options: ReceiverOptions) {
    super({ ...options, parse: parseAuditBatch, expected: 'an audit.k8s.io EventList' });
  }
}
