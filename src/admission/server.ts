import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type Server as TlsServer, type TLSSocket } from 'node:tls';

import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { PSS_LEVELS, type PssLevel } from '../analysis/pss/levels.js';
import type { AdmissionHandler, Decision, Webhook } from './handler.js';
import type { AdmissionMetrics } from './metrics.js';
import { NO_LABEL, type LabelRoute } from './policy.js';
import { errorReview, type ResponseStatus } from './review.js';
import { certificateExpiry } from './x509.js';

/** Paths the API server posts AdmissionReviews to. */
export const VALIDATE_PATH = '/validate';
export const MUTATE_PATH = '/mutate';
/** The label route of a namespace whose `vigil.dev/enforce` label is not a level. */
export const INVALID_LABEL_ROUTE = 'invalid-label';

/** Default largest request body: an object (the API server takes up to 3 MiB) and its old version, with room. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface AdmissionTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** When set, review requests must come with a client certificate signed by this CA (the API server's, see docs). */
  readonly clientCa?: string | Buffer;
}

export interface AdmissionServerOptions {
  readonly handler: AdmissionHandler;
  /** Address to bind (the CLI defaults to 127.0.0.1). */
  readonly host: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  readonly tls: AdmissionTls;
  /** Largest request body; larger ones are refused with 413 (default 8 MiB). */
  readonly maxBodyBytes?: number;
  readonly metrics?: AdmissionMetrics;
  /** Bearer token for GET /metrics. */
  readonly metricsToken?: string;
  /** Serve /metrics without a token (only sensible on loopback). */
  readonly metricsOpen?: boolean;
  /** Told about every answered review (for the decision log). */
  readonly onDecision?: (decision: Decision, seconds: number) => void;
  /** A request must arrive completely within this time (default 10 s; the API server waits at most 30 s). */
  readonly requestTimeoutMs?: number;
}

export interface AdmissionServer {
  /** `https://127.0.0.1:8443` */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** Serve a new certificate and key from the next TLS handshake on (rotation without restart). */
  setCertificate(cert: string | Buffer, key: string | Buffer): void;
  /** Answer /readyz with 503 from now on (before a delayed shutdown), while reviews are still answered. */
  markNotReady(): void;
  close(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  return match !== null && timingSafeEqual(digest(match[1] as string), digest(token));
}

function labelRouteOf(segment: string): LabelRoute | undefined {
  if ((PSS_LEVELS as readonly string[]).includes(segment)) return { kind: 'level', level: segment as PssLevel };
  if (segment === INVALID_LABEL_ROUTE) return { kind: 'invalid' };
  return undefined;
}

const REASON_OF: Readonly<Record<number, ResponseStatus['reason']>> = {
  400: 'BadRequest',
  404: 'NotFound',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
};

function isReviewPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === VALIDATE_PATH || path.startsWith(`${VALIDATE_PATH}/`) || path === MUTATE_PATH;
}

/**
 * The webhook's HTTPS server (fastify): `POST /validate`, `POST /validate/<privileged|baseline|restricted|invalid-label>`
 * (the namespace's `vigil.dev/enforce` label, routed by the webhook configuration), `POST /mutate`,
 * `GET /healthz`, `GET /readyz` and `GET /metrics`. Every answer on a review path is an
 * AdmissionReview, including refusals of bodies that are not JSON, too large or of the wrong type;
 * errors never echo internals.
 */
export async function startAdmissionServer(options: AdmissionServerOptions): Promise<AdmissionServer> {
  const tls = options.tls;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    requestTimeout,
    // A client that stops sending mid-request is dropped after this much silence (node's own
    // requestTimeout check above does not always see requests whose body is being read).
    connectionTimeout: requestTimeout,
    return503OnClosing: true,
    // close() must not wait on a client that stalls mid-request; by then the shutdown delay has let
    // the endpoints move on, so what is still open is abandoned.
    forceCloseConnections: true,
    https: {
      // Node checks request deadlines on this interval (default 30 s): check often enough that the
      // requestTimeout above is what a stalled client actually gets.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(requestTimeout / 2))),
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      // Client certificates are checked per route, so that kubelet probes (which present none) still work.
      ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }),
    },
  }) as unknown as FastifyInstance;
  let closing = false;

  // Bodies are read as bytes and parsed by the handler, which answers bad ones with an AdmissionReview.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, body);
  });

  const sendReview = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
    reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
  // Requests refused before the handler saw them (too large, unreadable, unknown path) are counted too.
  const countRefused = (url: string): void => {
    const webhook = url.startsWith(MUTATE_PATH) ? 'mutate' : url.startsWith(VALIDATE_PATH) ? 'validate' : 'none';
    options.metrics?.requests.inc({ webhook, outcome: 'invalid', dry_run: 'false' });
  };

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (isReviewPath(req.url)) {
      countRefused(req.url);
      const message =
        status === 413
          ? `the request body is larger than ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`
          : status === 500
            ? 'internal error'
            : 'the request could not be read';
      return sendReview(
        reply,
        status,
        errorReview('', status, REASON_OF[status] ?? (status === 500 ? 'InternalError' : 'BadRequest'), message),
      );
    }
    return reply
      .code(status)
      .type('text/plain')
      .send(status === 500 ? 'internal error\n' : 'bad request\n');
  });
  app.setNotFoundHandler((req, reply) => {
    if (isReviewPath(req.url) || req.method === 'POST') {
      countRefused(req.url);
      return sendReview(
        reply,
        404,
        errorReview('', 404, 'NotFound', `POST AdmissionReviews to ${VALIDATE_PATH}, ${VALIDATE_PATH}/<level> or ${MUTATE_PATH}`),
      );
    }
    return reply.code(404).type('text/plain').send('not found\n');
  });

  const review = (webhook: Webhook, label: LabelRoute, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (tls.clientCa !== undefined && !(req.raw.socket as Partial<TLSSocket>).authorized) {
      countRefused(req.url);
      return sendReview(reply, 401, errorReview('', 401, 'Forbidden', 'a client certificate signed by the configured CA is required'));
    }
    const started = process.hrtime.bigint();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const decision = options.handler.handleBody(webhook, label, body, req.headers['content-type']);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    options.metrics?.observe(decision, seconds);
    options.onDecision?.(decision, seconds);
    return sendReview(reply, decision.httpStatus, decision.review);
  };

  app.post(VALIDATE_PATH, (req, reply) => review('validate', NO_LABEL, req, reply));
  app.post<{ Params: { route: string } }>(`${VALIDATE_PATH}/:route`, (req, reply) => {
    const label = labelRouteOf(req.params.route);
    if (label === undefined) {
      countRefused(req.url);
      return sendReview(
        reply,
        404,
        errorReview(
          '',
          404,
          'NotFound',
          `unknown route "${req.params.route.slice(0, 40)}": expected privileged, baseline, restricted or ${INVALID_LABEL_ROUTE}`,
        ),
      );
    }
    return review('validate', label, req, reply);
  });
  app.post(MUTATE_PATH, (req, reply) => review('mutate', NO_LABEL, req, reply));
  app.get('/healthz', (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', (_req, reply) =>
    closing ? reply.code(503).type('text/plain').send('shutting down\n') : reply.type('text/plain').send('ok\n'),
  );
  app.get('/metrics', async (req, reply) => {
    const metrics = options.metrics;
    if (metrics === undefined || (options.metricsToken === undefined && options.metricsOpen !== true)) {
      return reply.code(404).type('text/plain').send('metrics are not served here (give a metrics token)\n');
    }
    if (options.metricsToken !== undefined && !tokenMatches(req.headers.authorization, options.metricsToken)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').type('text/plain').send('unauthorized\n');
    }
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });

  const expiry = certificateExpiry(tls.cert);
  if (expiry !== undefined) options.metrics?.certificateExpiry.set(Math.floor(expiry.getTime() / 1000));

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    url: `https://${host}:${port}`,
    port,
    app,
    setCertificate(cert, key) {
      // Refuse a mismatched pair here (createSecureContext throws) rather than at the next handshake.
      createSecureContext({ cert, key });
      (app.server as unknown as TlsServer).setSecureContext({
        cert,
        key,
        minVersion: 'TLSv1.2',
        ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
      });
      const at = certificateExpiry(cert);
      if (at !== undefined) options.metrics?.certificateExpiry.set(Math.floor(at.getTime() / 1000));
    },
    markNotReady() {
      closing = true;
    },
    async close() {
      closing = true;
      await app.close();
    },
  };
}

/**
 * Re-reads the certificate and key files when they change (a Secret volume is updated in place by the
 * kubelet; cert-manager renews certificates), and hands the new pair to the server.
 */
export class CertificateReloader {
  private timer: NodeJS.Timeout | undefined;
  private stamp: string;

  constructor(
    private readonly files: { readonly cert: string; readonly key: string },
    private readonly apply: (cert: Buffer, key: Buffer) => void,
    private readonly report: (event: { readonly ok: boolean; readonly message: string }) => void,
  ) {
    this.stamp = this.currentStamp();
  }

  private currentStamp(): string {
    try {
      const c = statSync(this.files.cert);
      const k = statSync(this.files.key);
      return `${c.mtimeMs}:${c.size}:${k.mtimeMs}:${k.size}`;
    } catch {
      return 'unreadable';
    }
  }

  /** Look once: reload when either file changed since the last look. Returns whether a new pair was applied. */
  check(): boolean {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    try {
      const cert = readFileSync(this.files.cert);
      const key = readFileSync(this.files.key);
      this.apply(cert, key);
      this.report({ ok: true, message: `serving the new certificate from ${this.files.cert}` });
      return true;
    } catch (err: unknown) {
      // A half-written pair (cert updated before key) fails here and is retried at the next change.
      this.report({ ok: false, message: `kept the current certificate: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    }
  }

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
