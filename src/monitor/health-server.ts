import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

import Fastify, { type FastifyInstance } from 'fastify';

import { UsageError } from '../core/errors.js';
import type { MonitorMetrics } from './metrics.js';

export interface HealthServerOptions {
  readonly metrics: MonitorMetrics;
  /** Whether the monitor is ready (first evaluation stored), and why not. */
  readonly readiness: () => { ready: boolean; reason: string };
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** More routes to serve on the same address (the dashboard), registered as an encapsulated plugin. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  readonly token?: string;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9464;

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(bare);
  return false;
}

/**
 * Refuse to expose the endpoints beyond this machine without TLS and a token: metrics name
 * namespaces, workloads and the security problems in them.
 */
export function assertSafeListen(options: ListenOptions): void {
  if (isLoopback(options.host)) return;
  if (options.tls === undefined || options.token === undefined || options.token === '') {
    throw new UsageError(`refusing to serve metrics on ${options.host} without TLS and a token`, {
      hint: 'Keep the default loopback address, or give --tls-cert, --tls-key and --token-file (Prometheus then scrapes with bearer_token_file).',
    });
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match === null) return false;
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

/**
 * The monitor's HTTP endpoints: `/metrics` (Prometheus text format), `/healthz` (the process
 * answers) and `/readyz` (the first evaluation is stored). Errors never echo internals.
 */
export function buildHealthApp(options: HealthServerOptions, tls?: ListenOptions['tls']): FastifyInstance {
  const app = (
    tls === undefined ? Fastify({ logger: false }) : Fastify({ logger: false, https: { key: tls.key, cert: tls.cert } })
  ) as FastifyInstance;
  app.setErrorHandler((_err, _req, reply) => {
    void reply.code(500).type('text/plain').send('internal error\n');
  });
  app.get('/healthz', (_req, reply) => {
    void reply.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, reply) => {
    const { ready, reason } = options.readiness();
    void reply
      .code(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? 'ok\n' : `not ready: ${reason}\n`);
  });
  app.get('/metrics', async (req, reply) => {
    if (options.token !== undefined && !tokenMatches(req.headers.authorization, options.token)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').type('text/plain').send('unauthorized\n');
    }
    const { contentType, body } = await options.metrics.exposition();
    return reply.type(contentType).send(body);
  });
  for (const plugin of options.plugins ?? []) void app.register(plugin);
  return app;
}

/** Start the endpoints; returns the base URL (`http://127.0.0.1:9464`) and a way to stop them. */
export async function startHealthServer(
  options: HealthServerOptions,
  listen: ListenOptions,
): Promise<{ url: string; close: () => Promise<void>; app: FastifyInstance }> {
  assertSafeListen(listen);
  const app = buildHealthApp({ ...options, ...(listen.token === undefined ? {} : { token: listen.token }) }, listen.tls);
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  const host = listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
  return {
    url: `${listen.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    close: () => app.close(),
    app,
  };
}
