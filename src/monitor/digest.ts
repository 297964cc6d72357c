import type { Alert, AlertSink } from '../core/alert.js';
import { UsageError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { Store } from '../store/store.js';
import { deliver } from './finding-alerts.js';

const DAY_MS = 86_400_000;

/** Parse `HH:MM` (UTC) for `--digest-at`. */
export function parseDigestTime(value: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (match === null) throw new UsageError(`--digest-at: expected HH:MM (UTC, 24-hour), got "${value}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The next time at HH:MM UTC strictly after `now`. */
export function nextDigestTime(now: Date, at: { hour: number; minute: number }): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), at.hour, at.minute));
  if (next.getTime() <= now.getTime()) next.setTime(next.getTime() + DAY_MS);
  return next;
}

/**
 * The daily digest as one alert: open findings by severity and what changed in the last 24 hours.
 * Its severity is that of the worst open finding (info when there is none), so sinks that filter on
 * severity treat a clean day as the quiet news it is.
 */
export async function buildDigest(store: Store, cluster: string, now: Date): Promise<Alert> {
  const open = await store.openCounts(cluster);
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const changes = await store.transitionsSince(cluster, since);
  const worst: Severity = SEVERITIES.find((s) => open[s] > 0) ?? 'info';
  const total = SEVERITIES.reduce((n, s) => n + open[s], 0);
  const parts = SEVERITIES.filter((s) => open[s] > 0).map((s) => `${open[s]} ${s}`);
  const at = now.toISOString();
  return {
    id: `digest:${cluster}:${at.slice(0, 10)}`,
    rule: 'vigil/daily-digest',
    source: 'vigil',
    severity: worst,
    title: `Vigil daily digest for ${cluster}: ${total} open finding${total === 1 ? '' : 's'}`,
    output: `Open: ${parts.length === 0 ? 'none' : parts.join(', ')}. Last 24 h: ${changes.opened} new, ${changes.reopened} reopened, ${changes.resolved} resolved.`,
    time: at,
    cluster,
    fields: {
      ...Object.fromEntries(SEVERITIES.map((s) => [`open_${s}`, open[s]])),
      opened_24h: changes.opened,
      reopened_24h: changes.reopened,
      resolved_24h: changes.resolved,
    },
  };
}

/** Sends the digest every day at HH:MM UTC until stopped. */
export class DigestScheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      readonly at: { hour: number; minute: number };
      readonly store: Store;
      readonly cluster: string;
      readonly sinks: readonly AlertSink[];
      readonly onFailure: (sink: string, message: string) => void;
      readonly now?: () => Date;
    },
  ) {}

  start(): void {
    const now = this.options.now?.() ?? new Date();
    const delay = nextDigestTime(now, this.options.at).getTime() - now.getTime();
    this.timer = setTimeout(() => {
      void this.sendNow().finally(() => {
        this.start();
      });
    }, delay);
    this.timer.unref();
  }

  async sendNow(): Promise<Alert> {
    const digest = await buildDigest(this.options.store, this.options.cluster, this.options.now?.() ?? new Date());
    await this.options.store.recordAlerts([digest], digest.time);
    await deliver(this.options.sinks, [digest], this.options.onFailure);
    return digest;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
