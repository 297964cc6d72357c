import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Alert, AlertSink } from '../core/alert.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { LaneOutbox, type OutboxStats } from './outbox.js';

const alert = (id: string, user = 'alice'): Alert => ({
  id,
  rule: 'pod-exec',
  source: 'vigil',
  severity: 'high',
  title: 't',
  output: 'o',
  time: '2026-01-01T00:00:00.000Z',
  user,
  cluster: 'c',
});

/** A sink that records what it accepted, and fails while `failing` is set. */
class RecordingSink implements AlertSink {
  readonly accepted: string[] = [];
  failing = false;
  constructor(readonly name: string) {}
  send(alerts: readonly Alert[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error(`${this.name} is down`));
    this.accepted.push(...alerts.map((a) => a.id));
    return Promise.resolve();
  }
}

describe('LaneOutbox', () => {
  let store: Store;
  let stats: OutboxStats;
  let sinks: RecordingSink[];
  const owner = (): boolean => true;
  const outbox = (mine: (a: Alert) => boolean = () => true): LaneOutbox =>
    new LaneOutbox(store, sinks, stats, mine, 'c', 60_000, () => undefined);
  const pending = async (): Promise<string[]> => (await store.pendingAlerts()).map((s) => s.alert.id);

  beforeEach(async () => {
    store = await openStore(':memory:', { dataDir: '.' });
    stats = { alertsNotified: 0, alertsNotifiedLeftOver: 0, notifyFailures: 0 };
    sinks = [new RecordingSink('jsonl'), new RecordingSink('webhook')];
  });
  afterEach(async () => {
    await store.close();
  });

  it('sends stored alerts to every sink and marks them notified', async () => {
    const box = outbox();
    const alerts = [alert('a'), alert('b')];
    const stored = await store.recordAlerts(alerts, '2026-01-01T00:00:01Z', { outbox: true });
    expect(await pending()).toEqual(['a', 'b']);
    await box.afterStore(alerts, stored);
    expect(sinks.map((s) => s.accepted)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(await pending()).toEqual([]);
    expect(stats).toEqual({ alertsNotified: 2, alertsNotifiedLeftOver: 0, notifyFailures: 0 });
  });

  it('never sends again an alert raised again after it was notified', async () => {
    const box = outbox();
    await store.recordAlerts([alert('a')], '2026-01-01T00:00:01Z', { outbox: true });
    await box.afterStore([alert('a')], 1);
    // Re-processed events raise `a` again beside a new `b`: the store keeps `a` once, notified.
    const again = [alert('a'), alert('b')];
    await box.afterStore(again, await store.recordAlerts(again, '2026-01-01T00:00:02Z', { outbox: true }));
    expect(sinks[0]?.accepted).toEqual(['a', 'b']);
    expect(sinks[1]?.accepted).toEqual(['a', 'b']);
  });

  it('retries a failed sink only, and marks the alert once every sink accepted it', async () => {
    const box = outbox();
    const [jsonl, webhook] = sinks as [RecordingSink, RecordingSink];
    webhook.failing = true;
    await box.afterStore([alert('a')], await store.recordAlerts([alert('a')], '2026-01-01T00:00:01Z', { outbox: true }));
    expect(jsonl.accepted).toEqual(['a']);
    expect(await pending()).toEqual(['a']);
    expect(stats.notifyFailures).toBe(1);
    webhook.failing = false;
    // Not due yet: nothing happens.
    await box.tick(owner, 0);
    expect(webhook.accepted).toEqual([]);
    await box.tick(owner, Date.now() + 2000);
    expect(jsonl.accepted).toEqual(['a']);
    expect(webhook.accepted).toEqual(['a']);
    expect(await pending()).toEqual([]);
  });

  it('sweeps the alerts of its own lane that an earlier owner stored and did not notify', async () => {
    // Stored by a worker that died before notifying: alice's lane is this one, bob's another.
    await store.recordAlerts([alert('left-a', 'alice'), alert('left-b', 'bob')], '2026-01-01T00:00:01Z', { outbox: true });
    await store.recordAlerts([alert('done', 'alice')], '2026-01-01T00:00:01Z');
    const box = outbox((a) => a.user === 'alice');
    await box.tick(owner);
    expect(sinks[0]?.accepted).toEqual(['left-a']);
    expect(await pending()).toEqual(['left-b']);
    expect(stats).toMatchObject({ alertsNotified: 1, alertsNotifiedLeftOver: 1 });
    // The next sweep finds nothing more of its own.
    await box.sweep(owner);
    expect(sinks[0]?.accepted).toEqual(['left-a']);
  });

  it('pages through a large outbox', async () => {
    const many = Array.from({ length: 1203 }, (_, i) => alert(`x-${String(i).padStart(4, '0')}`));
    await store.recordAlerts(many, '2026-01-01T00:00:01Z', { outbox: true });
    await outbox().sweep(owner);
    expect(sinks[0]?.accepted).toHaveLength(1203);
    expect(new Set(sinks[0]?.accepted).size).toBe(1203);
    expect(await pending()).toEqual([]);
  });

  it('stays idle without sinks', async () => {
    sinks = [];
    const box = outbox();
    expect(box.active).toBe(false);
    await store.recordAlerts([alert('a')], '2026-01-01T00:00:01Z', { outbox: true });
    await box.tick(owner);
    expect(await pending()).toEqual(['a']);
  });
});
