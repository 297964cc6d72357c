import type { InputProblem } from '../core/errors.js';
import { TOOL } from '../core/version.js';
import { resourceNameOf } from './cluster-kinds.js';
import type { ClusterReadResult } from './cluster.js';

/**
 * A cluster snapshot as one JSON document: a `v1` `List` of every object read (so `vigil scan
 * snap.json` and `kubectl` read it as they read `kubectl get … -o json`), plus a `vigil` section
 * saying where and when it was taken and what could not be read. Secrets are metadata only, as read.
 */
export function snapshotDocument(result: ClusterReadResult, takenAt: Date, namespace?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    vigil: {
      tool: TOOL,
      takenAt: takenAt.toISOString(),
      server: result.server,
      context: result.context,
      ...(namespace === undefined ? {} : { namespace }),
      resources: Object.fromEntries(
        result.kinds.map(({ kind, outcome }) => [
          resourceNameOf(kind),
          outcome.status === 'listed'
            ? { status: 'listed', count: outcome.count, resourceVersion: outcome.resourceVersion }
            : { status: outcome.status, message: outcome.message },
        ]),
      ),
      problems: result.problems satisfies readonly InputProblem[],
    },
    items: result.objects.map((o) => o.object),
  };
}
