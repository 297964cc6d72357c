import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/*
 * Who may talk to the dashboard API. The API names namespaces, workloads, their problems and who can
 * do what, and it can write exceptions, so:
 * - off loopback it requires a bearer token (and the CLI requires TLS too);
 * - on loopback, the Host header must be a loopback name, so a web page cannot reach it through DNS
 *   rebinding (a hostile name resolving to 127.0.0.1);
 * - writes must be JSON from the same origin: a page on another site cannot post a form or a
 *   `text/plain` "simple request" to it (cross-site request forgery).
 */

/** True for names only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a Host header (`127.0.0.1:9464` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match === null) return false;
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

export interface GuardInput {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** Whether the request came over TLS (for the expected origin). */
  readonly secure: boolean;
}

export interface GuardOptions {
  readonly token?: string;
  /** The server listens on loopback only: insist on a loopback Host header. */
  readonly loopbackOnly: boolean;
}

/** Why a request is refused (status and message), or undefined when it may go on. */
export function refuseRequest(input: GuardInput, options: GuardOptions): { status: number; error: string; hint?: string } | undefined {
  if (options.loopbackOnly && (input.host === undefined || !isLoopbackHost(hostnameOf(input.host)))) {
    return {
      status: 403,
      error: 'this dashboard answers only to localhost',
      hint: 'Open it as http://127.0.0.1:PORT or http://localhost:PORT.',
    };
  }
  if (options.token !== undefined && !bearerMatches(input.authorization, options.token)) {
    return { status: 401, error: 'a bearer token is required', hint: 'Send Authorization: Bearer <token> (the token of --token-file).' };
  }
  const unsafe = input.method !== 'GET' && input.method !== 'HEAD' && input.method !== 'OPTIONS';
  if (unsafe) {
    if (input.origin !== undefined && input.host !== undefined) {
      const expected = `${input.secure ? 'https' : 'http'}://${input.host}`.toLowerCase();
      if (input.origin.toLowerCase() !== expected) return { status: 403, error: 'cross-origin writes are refused' };
    }
    if (input.method === 'POST' && !/^application\/json\b/i.test(input.contentType ?? '')) {
      return { status: 415, error: 'send JSON', hint: 'Set Content-Type: application/json.' };
    }
  }
  return undefined;
}
