import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Store } from '../store/store.js';

/** What the outbox of a worker has done (shared by its lanes; exported as metrics). */
export interface OutboxStats {
  /** Alerts every other sink accepted and the store marked notified. */
  alertsNotified: number;
  /** Of those, alerts another owner had stored and not notified (it stopped or died in between). */
  alertsNotifiedLeftOver: number;
  /** Failed deliveries to a sink (retried) and failed attempts to mark alerts notified. */
  notifyFailures: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * The notification side of one lane: alerts go to the other sinks (`--jsonl`, `--webhook`,
 * `--slack-webhook`) from the store's outbox, so that each is sent once in effect, whoever stored it.
 *
 * The store records a worker's alerts as not yet notified; after every sink accepted an alert, the
 * store marks it notified. An alert already marked is never sent again (a re-processed event raises
 * it again with the same id: the store keeps it once, notified). Alerts of this lane left
 * un-notified by an earlier owner (it died between storing and notifying) are found by a sweep of
 * the store when the lane is taken over, and every `sweepEveryMs` after. A sink that fails is
 * retried, with backoff, for the alerts it has not accepted; the sinks that accepted them do not get
 * them again while this worker holds the lane.
 *
 * One owner per lane (the lease) means one outbox sends a lane's alerts. What is left: an owner that
 * dies after a sink accepted an alert and before the store marked it makes the next owner send it
 * again — a window of one store write. Alert ids are idempotency keys for receivers that want none.
 */
export class LaneOutbox {
  /** Alerts a sink has not accepted yet: the sinks (indexes) still to go. */
  private readonly retry = new Map<string, { alert: Alert; sinks: Set<number>; leftOver: boolean }>();
  /** Alerts every sink accepted, not yet marked in the store (marking failed). */
  private readonly toMark = new Map<string, boolean>();
  private nextRetry = 0;
  private retryDelay = 1000;
  private nextSweep = 0;

  constructor(
    private readonly store: Store,
    private readonly sinks: readonly AlertSink[],
    private readonly stats: OutboxStats,
    /** Whether a stored alert belongs to this lane. */
    private readonly mine: (alert: Alert) => boolean,
    private readonly cluster: string,
    private readonly sweepEveryMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether there are sinks to notify: without them alerts are stored as notified and the outbox is idle. */
  get active(): boolean {
    return this.sinks.length > 0;
  }

  /**
   * Notify the alerts of a processed batch once stored. `newlyStored` is how many the store did not
   * hold yet: when that is all of them none can be notified already; otherwise the store says which
   * still are not.
   */
  async afterStore(alerts: readonly Alert[], newlyStored: number): Promise<void> {
    if (!this.active || alerts.length === 0) return;
    let pending: readonly Alert[] = alerts;
    if (newlyStored < alerts.length) {
      try {
        pending = (await this.store.pendingAlerts({ ids: alerts.map((a) => a.id) })).map((s) => s.alert);
      } catch (err: unknown) {
        // Left in the outbox: the next sweep sends them.
        this.stats.notifyFailures++;
        this.log(`reading the outbox failed: ${describeError(err)}`);
        return;
      }
    }
    await this.send(pending, false);
  }

  /** Retries and sweeps that are due (call between batches). */
  async tick(stillOwner: () => boolean, now = Date.now()): Promise<void> {
    if (!this.active) return;
    if ((this.retry.size > 0 || this.toMark.size > 0) && now >= this.nextRetry) {
      await this.mark([...this.toMark.keys()]);
      const byAlert = [...this.retry.values()];
      this.retry.clear();
      await this.deliver(byAlert);
      const failed = this.retry.size > 0 || this.toMark.size > 0;
      this.retryDelay = failed ? Math.min(60_000, this.retryDelay * 2) : 1000;
      this.nextRetry = now + this.retryDelay;
    }
    if (now >= this.nextSweep && stillOwner()) {
      this.nextSweep = now + this.sweepEveryMs;
      await this.sweep(stillOwner);
    }
  }

  /** Send this lane's stored alerts that no one notified, oldest first. */
  async sweep(stillOwner: () => boolean): Promise<void> {
    let after: { recordedAt: string; id: string } | undefined;
    for (;;) {
      let page;
      try {
        page = await this.store.pendingAlerts({ cluster: this.cluster, limit: 500, ...(after === undefined ? {} : { after }) });
      } catch (err: unknown) {
        this.stats.notifyFailures++;
        this.log(`reading the outbox failed: ${describeError(err)}`);
        return;
      }
      const last = page.at(-1);
      const left = page.map((s) => s.alert).filter((a) => this.mine(a));
      if (left.length > 0) await this.send(left, true);
      if (last === undefined || page.length < 500 || !stillOwner()) return;
      after = { recordedAt: last.recordedAt, id: last.alert.id };
    }
  }

  /** Send alerts to every sink, except those already on their way (retried, or waiting to be marked). */
  private async send(alerts: readonly Alert[], leftOver: boolean): Promise<void> {
    const all = this.sinks.map((_, i) => i);
    const fresh = alerts.filter((a) => !this.retry.has(a.id) && !this.toMark.has(a.id));
    await this.deliver(fresh.map((alert) => ({ alert, sinks: new Set(all), leftOver })));
  }

  /** Send each alert to the sinks it still needs; mark the ones every sink accepted. */
  private async deliver(items: readonly { alert: Alert; sinks: Set<number>; leftOver: boolean }[]): Promise<void> {
    if (items.length === 0) return;
    for (const [i, sink] of this.sinks.entries()) {
      const batch = items.filter((item) => item.sinks.has(i));
      if (batch.length === 0) continue;
      try {
        await sink.send(batch.map((item) => item.alert));
        for (const item of batch) item.sinks.delete(i);
      } catch (err: unknown) {
        this.stats.notifyFailures++;
        this.log(`delivery failed (will retry): ${sink.name}: ${describeError(err)}`);
      }
    }
    const done: string[] = [];
    for (const item of items) {
      if (item.sinks.size > 0) {
        // A first failure waits the current delay before its retry.
        if (this.retry.size === 0) this.nextRetry = Math.max(this.nextRetry, Date.now() + this.retryDelay);
        this.retry.set(item.alert.id, item);
      } else {
        done.push(item.alert.id);
        this.toMark.set(item.alert.id, item.leftOver);
      }
    }
    await this.mark(done);
  }

  private async mark(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.store.markNotified(ids, new Date().toISOString());
        for (const id of ids) {
          this.stats.alertsNotified++;
          if (this.toMark.get(id) === true) this.stats.alertsNotifiedLeftOver++;
          this.toMark.delete(id);
        }
        return;
      } catch (err: unknown) {
        this.stats.notifyFailures++;
        this.log(`marking ${ids.length} alerts notified failed (attempt ${attempt + 1}): ${describeError(err)}`);
        await sleep(200 * 2 ** attempt);
      }
    }
  }
}
