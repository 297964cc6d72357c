import { apiVersionOf, CLUSTER_KINDS, resourceNameOf, type ClusterKind } from '../sources/cluster-kinds.js';
import type { KindOutcome } from '../sources/cluster.js';
import type { KubeApi } from '../sources/kube-api.js';
import { KindWatcher, type KindWatcherOptions } from './kind-watcher.js';
import type { MonitorMetrics } from './metrics.js';
import { kindKeyOf, type Monitor } from './monitor.js';

export interface ClusterFeedOptions extends KindWatcherOptions {
  readonly kinds?: readonly ClusterKind[];
  readonly metrics?: MonitorMetrics;
  readonly log?: (message: string) => void;
}

/** A running set of watches feeding a Monitor. */
export interface ClusterFeed {
  readonly watchers: readonly KindWatcher[];
  stop(): Promise<void>;
}

/**
 * Watch every kind the checks need and feed the Monitor: one list-then-watch loop per kind. A kind
 * that may not be listed (forbidden, not served) does not hold up the first evaluation; it is logged,
 * shown in `vigil_resource_unavailable`, and tried again later. A kind whose list fails otherwise is
 * retried with backoff, and the first evaluation waits for it (`/readyz` says so).
 */
export function watchCluster(api: KubeApi, monitor: Monitor, options: ClusterFeedOptions = {}): ClusterFeed {
  const kinds = options.kinds ?? CLUSTER_KINDS;
  const keyOf = (kind: ClusterKind): string => kindKeyOf(apiVersionOf(kind), kind.kind);
  monitor.expect(kinds.map(keyOf));
  const unavailable = new Map<string, string>();
  const watchers = kinds.map(
    (kind) =>
      new KindWatcher(
        api,
        kind,
        {
          onSync(k, objects) {
            const resource = resourceNameOf(k);
            const was = unavailable.get(resource);
            if (was !== undefined) {
              options.metrics?.listFailures.remove({ resource, reason: was });
              unavailable.delete(resource);
              options.log?.(`monitor: ${resource} can be listed again`);
            }
            monitor.sync(
              keyOf(k),
              objects.map((object) => ({ object })),
            );
          },
          onUpsert(_k, object) {
            monitor.upsert(object);
          },
          onDelete(_k, object) {
            monitor.remove(object);
          },
          onRestart(k, reason, detail) {
            options.metrics?.watchRestarts.inc({ resource: resourceNameOf(k), reason });
            if (reason !== 'timeout') options.log?.(`monitor: watch ${resourceNameOf(k)} restarted (${reason}: ${detail})`);
          },
          onListProblem(k, outcome: KindOutcome) {
            const resource = resourceNameOf(k);
            const reason = outcome.status;
            if (unavailable.get(resource) !== reason) {
              const message = 'message' in outcome ? outcome.message : '';
              options.log?.(`monitor: cannot list ${resource} (${reason}): ${message}`);
              unavailable.set(resource, reason);
              options.metrics?.listFailures.set({ resource, reason }, 1);
            }
            // Forbidden and not-served kinds stay so: evaluate without them. A failing list (a 500, a
            // timeout) is retried and holds up the first evaluation, which would otherwise resolve the
            // stored findings of that kind only to reopen them when the list succeeds.
            if (reason !== 'failed') monitor.giveUp(keyOf(k));
          },
          onEvent(k, type) {
            options.metrics?.watchEvents.inc({ resource: resourceNameOf(k), type });
          },
        },
        options,
      ),
  );
  for (const watcher of watchers) watcher.start();
  return {
    watchers,
    async stop() {
      await Promise.all(watchers.map((w) => w.stop()));
    },
  };
}
