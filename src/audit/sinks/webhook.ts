import { setTimeout as sleep } from 'node:timers/promises';

import type { Alert, AlertSink } from '../../core/alert.js';
import { alertJson } from './alert-json.js';

export interface WebhookOptions {
  /** Sent as `Authorization: Bearer …` when given. */
  readonly bearerToken?: string;
  /** Extra headers (e.g. an API key header a receiver wants). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts per batch before it counts as failed (default 4: the first try and 3 retries). */
  readonly attempts?: number;
  /** First retry delay in ms, doubled each retry (default 500). */
  readonly backoffMs?: number;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Alerts per request (default 100). */
  readonly batchSize?: number;
  /** Replaces global fetch (tests). */
  readonly fetch?: typeof fetch;
}

/** Raised when a batch could not be delivered after every retry: it names how many alerts were lost. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly sink: string,
    readonly alerts: number,
    cause: unknown,
  ) {
    super(`${sink}: ${alerts} alert(s) not delivered: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * POSTs alerts as JSON to a URL, in batches, retrying with exponential backoff on network errors,
 * 429 and 5xx (honouring Retry-After). A batch that still fails is counted and reported by
 * rejecting with DeliveryError; it is never dropped silently.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  delivered = 0;
  failed = 0;

  constructor(
    readonly url: string,
    private readonly body: (alerts: readonly Alert[]) => unknown = (alerts) => ({ alerts: alerts.map(alertJson) }),
    private readonly options: WebhookOptions = {},
    name = 'webhook',
  ) {
    this.name = `${name} ${redactUrl(url)}`;
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    const size = this.options.batchSize ?? 100;
    let firstError: DeliveryError | undefined;
    for (let i = 0; i < alerts.length; i += size) {
      const batch = alerts.slice(i, i + size);
      try {
        await this.post(batch);
        this.delivered += batch.length;
      } catch (err: unknown) {
        this.failed += batch.length;
        firstError ??= new DeliveryError(this.name, batch.length, err);
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private async post(batch: readonly Alert[]): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    let delay = this.options.backoffMs ?? 500;
    const doFetch = this.options.fetch ?? fetch;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await doFetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.options.bearerToken === undefined ? {} : { authorization: `Bearer ${this.options.bearerToken}` }),
            ...this.options.headers,
          },
          body: JSON.stringify(this.body(batch)),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastError = new Error(`HTTP ${response.status}`);
        if (response.status !== 429 && response.status < 500) break; // the receiver refuses this payload: retrying will not help
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) delay = Math.max(delay, Math.min(retryAfter * 1000, 60_000));
      } catch (err: unknown) {
        lastError = err;
      }
      if (attempt < attempts) {
        await sleep(delay);
        delay *= 2;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }
}

/** A URL without its credentials or query (Slack webhook URLs carry the secret in the path: keep only the host). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '<invalid URL>';
  }
}
