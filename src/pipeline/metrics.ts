import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import { scrapedCounter } from '../audit/sinks/prometheus.js';
import type { WorkerStats } from './worker.js';

/**
 * Prometheus metrics of a detection worker, read from its stats at scrape time: stream lag per
 * partition, redeliveries, re-processing after take-overs, ownership, alerts stored and kept once.
 */
export function workerRegistry(stats: WorkerStats, workerId: string, cluster: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ cluster });
  collectDefaultMetrics({ register: registry, prefix: 'vigil_worker_' });
  const counter = (name: string, help: string, read: () => number): void => {
    scrapedCounter(registry, name, help, read);
  };
  counter('vigil_pipeline_messages_total', 'Stream messages processed by the partitions this worker holds.', () => stats.messages);
  counter('vigil_pipeline_events_total', 'Audit events run through the partition-local rules by this worker.', () => stats.events);
  counter(
    'vigil_pipeline_global_events_total',
    'Audit events run through the global rules (the global lane reads every event of the cluster) by this worker.',
    () => stats.globalEvents,
  );
  counter(
    'vigil_pipeline_batches_incomplete_total',
    'Batches the global lane ran with parts missing (the API server gave up re-sending them).',
    () => stats.incompleteBatches,
  );
  counter('vigil_pipeline_events_malformed_total', 'Stream items that were not audit events.', () => stats.malformed);
  counter('vigil_pipeline_redeliveries_total', 'Messages JetStream delivered more than once to this worker.', () => stats.redeliveries);
  counter(
    'vigil_pipeline_reprocessed_total',
    'Messages re-processed after a take-over (in flight at the previous owner, not acknowledged).',
    () => stats.reprocessed,
  );
  counter(
    'vigil_pipeline_replayed_events_total',
    'Events replayed to rebuild the state of partitions taken over.',
    () => stats.replayedEvents,
  );
  counter('vigil_pipeline_alerts_raised_total', 'Alerts raised by the rules.', () => stats.alertsRaised);
  counter('vigil_pipeline_alerts_stored_total', 'Alerts newly stored.', () => stats.alertsStored);
  counter(
    'vigil_pipeline_alerts_duplicate_total',
    'Alerts the store already held (same idempotency key), kept once.',
    () => stats.alertsDuplicate,
  );
  counter(
    'vigil_pipeline_alerts_notified_total',
    'Alerts every other sink accepted, marked notified in the store (sent once in effect).',
    () => stats.alertsNotified,
  );
  counter(
    'vigil_pipeline_alerts_notified_left_over_total',
    'Of those, alerts an earlier owner stored and did not notify (it stopped or died in between).',
    () => stats.alertsNotifiedLeftOver,
  );
  counter(
    'vigil_pipeline_notify_failures_total',
    'Failed deliveries to a sink and failed outbox updates (retried).',
    () => stats.notifyFailures,
  );
  counter('vigil_pipeline_takeovers_total', 'Lanes (partitions, global) this worker took over.', () => stats.takeovers);
  counter('vigil_pipeline_releases_total', 'Lanes this worker handed to another.', () => stats.releases);
  counter('vigil_pipeline_leases_lost_total', 'Lane leases this worker lost (it stopped at once).', () => stats.leasesLost);
  counter('vigil_pipeline_store_failures_total', 'Failed attempts to store alerts (retried).', () => stats.storeFailures);
  new Gauge({
    name: 'vigil_pipeline_rules',
    help: 'Rules this worker runs, by where: in every partition (keyed by the acting identity) or on the global lane.',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.set({ scope: 'partition' }, stats.localRules);
      this.set({ scope: 'global' }, stats.globalRules);
    },
  });
  new Gauge({
    name: 'vigil_pipeline_learning_start_seconds',
    help: 'Where first-seen learning periods start: the cluster stream’s first event (Unix time; 0 until known).',
    registers: [registry],
    collect() {
      this.set((stats.learningStart ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'vigil_pipeline_partitions_owned',
    help: 'Lanes (partitions and the global lane) this worker holds.',
    registers: [registry],
    collect() {
      this.set(stats.owned.length);
    },
  });
  new Gauge({
    name: 'vigil_pipeline_partition_lag',
    help: 'Messages of a lane not yet acknowledged (pending and in flight), for the lanes this worker holds (partition="global": the global lane).',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of stats.owned) this.set({ partition: p }, stats.partitions[p]?.lag ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_pipeline_partition_owner',
    help: 'Lane ownership as this worker sees it: 1 for the worker holding each partition (and partition="global").',
    labelNames: ['partition', 'worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [p, s] of Object.entries(stats.partitions)) if (s.owner !== '') this.set({ partition: p, worker: s.owner }, 1);
    },
  });
  new Gauge({
    name: 'vigil_pipeline_worker_info',
    help: 'This worker.',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.set({ worker: workerId }, 1);
    },
  });
  return registry;
}
