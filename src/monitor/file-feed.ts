import { createHash } from 'node:crypto';

import type { InputProblem } from '../core/errors.js';
import { loadInputs, type LoadOptions } from '../sources/load-inputs.js';
import type { Monitor } from './monitor.js';

export interface FileFeedOptions {
  /** Read the files again this often and apply what changed (0: read once). */
  readonly intervalMs?: number;
  readonly load?: LoadOptions;
  readonly log?: (message: string) => void;
  readonly onProblems?: (problems: readonly InputProblem[]) => void;
}

export interface FileFeed {
  stop(): void;
}

/** Name of the Monitor source a file feed delivers. */
export const FILES_SOURCE = '*';

/**
 * Feed a Monitor from manifests on disk (a GitOps checkout, the bundled demo) instead of a cluster:
 * read them, and read them again every `intervalMs`, handing the Monitor the whole set each time it
 * changed so that edits, new files and deleted files open and resolve findings as watch events would.
 */
export async function watchFiles(paths: readonly string[], monitor: Monitor, options: FileFeedOptions = {}): Promise<FileFeed> {
  monitor.expect([FILES_SOURCE]);
  let lastDigest = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const read = async (): Promise<void> => {
    const loaded = await loadInputs(paths, options.load);
    const digest = createHash('sha256')
      .update(JSON.stringify(loaded.objects.map((o) => [o.source?.file, o.source?.line, o.object])))
      .digest('hex');
    if (digest === lastDigest) return;
    if (lastDigest !== '') options.log?.(`monitor: manifests changed; ${loaded.objects.length} objects`);
    lastDigest = digest;
    options.onProblems?.(loaded.problems);
    monitor.sync(FILES_SOURCE, loaded.objects);
  };
  await read();
  const interval = options.intervalMs ?? 0;
  const tick = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      read()
        .catch((err: unknown) => options.log?.(`monitor: reading manifests failed: ${String(err)}`))
        .finally(tick);
    }, interval);
  };
  if (interval > 0) tick();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
