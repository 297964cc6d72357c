import { createInterface } from 'node:readline';

import { describeError } from '../core/errors.js';
import { isRecord } from '../k8s/guards.js';
import type { KubeObject } from '../k8s/types.js';
import { collectionPath, resourceNameOf, type ClusterKind } from '../sources/cluster-kinds.js';
import { clusterObjectOf, listKind, METADATA_WATCH_ACCEPT, type KindOutcome } from '../sources/cluster.js';
import { statusMessage, type KubeApi } from '../sources/kube-api.js';

/** Why a watch had to be opened again. */
export type RestartReason = 'expired' | 'dropped' | 'timeout' | 'error';

export interface KindWatcherHooks {
  /** The full list of the kind (start-up, and after a 410 Gone): replaces what was known. */
  onSync(kind: ClusterKind, objects: KubeObject[]): void;
  onUpsert(kind: ClusterKind, object: KubeObject): void;
  onDelete(kind: ClusterKind, object: KubeObject): void;
  onRestart(kind: ClusterKind, reason: RestartReason, detail: string): void;
  /** The kind could not be listed (forbidden, not served, failed); retried later. */
  onListProblem(kind: ClusterKind, outcome: KindOutcome): void;
  onEvent?(kind: ClusterKind, type: string): void;
}

export interface KindWatcherOptions {
  readonly namespace?: string;
  readonly pageSize?: number;
  /** Server-side watch timeout; the API server closes the watch after it (client-go picks 5–10 min). */
  readonly timeoutSeconds?: number;
  /** Reconnect backoff: first delay and ceiling, in ms (doubling, with jitter). */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  /** Wait before listing a forbidden or unserved kind again. */
  readonly retryListMs?: number;
}

interface WatchEnd {
  readonly end: 'expired' | 'timeout' | 'dropped' | 'error';
  readonly detail: string;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * Keeps one kind current, the way client-go's reflector does
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
 * list, then watch from the list's resourceVersion with bookmarks; resume from the last
 * resourceVersion seen (an event's or a BOOKMARK's) when the connection drops or times out, after a
 * jittered exponential backoff; list again when the server says 410 Gone (the resourceVersion was
 * compacted), so that nothing that happened in between is missed — deletions included, because the
 * new list replaces the old state.
 */
export class KindWatcher {
  private readonly controller = new AbortController();
  private rv = '';
  private running: Promise<void> | undefined;

  constructor(
    private readonly api: KubeApi,
    readonly kind: ClusterKind,
    private readonly hooks: KindWatcherHooks,
    private readonly options: KindWatcherOptions = {},
  ) {}

  /** The last resourceVersion seen. */
  get resourceVersion(): string {
    return this.rv;
  }

  start(): void {
    this.running ??= this.loop().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    // A function, so that the check is made again after each await.
    const stopped = (): boolean => signal.aborted;
    const backoff = this.options.backoffMs ?? { initial: 250, max: 30_000 };
    let delay = backoff.initial;
    let needList = true;
    while (!signal.aborted) {
      if (needList) {
        let listed: Awaited<ReturnType<typeof listKind>>;
        try {
          listed = await listKind(this.api, this.kind, {
            ...(this.options.namespace === undefined ? {} : { namespace: this.options.namespace }),
            ...(this.options.pageSize === undefined ? {} : { pageSize: this.options.pageSize }),
            signal,
          });
        } catch (err: unknown) {
          if (stopped()) return;
          this.hooks.onListProblem(this.kind, { status: 'failed', httpStatus: 0, message: describeError(err) });
          await sleep(this.jitter(delay), signal);
          delay = Math.min(delay * 2, backoff.max);
          continue;
        }
        if (listed.outcome.status !== 'listed') {
          this.hooks.onListProblem(this.kind, listed.outcome);
          await sleep(listed.outcome.status === 'failed' ? this.jitter(delay) : (this.options.retryListMs ?? 300_000), signal);
          delay = Math.min(delay * 2, backoff.max);
          continue;
        }
        this.rv = listed.outcome.resourceVersion;
        this.hooks.onSync(this.kind, listed.objects);
        needList = false;
      }
      const ended = await this.watchOnce(signal);
      if (stopped()) return;
      this.hooks.onRestart(this.kind, ended.end, ended.detail);
      if (ended.end === 'expired') {
        needList = true;
        delay = backoff.initial;
        continue;
      }
      if (ended.end === 'timeout') {
        delay = backoff.initial;
        continue;
      }
      await sleep(this.jitter(delay), signal);
      delay = Math.min(delay * 2, backoff.max);
    }
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.5 + Math.random() * 0.5));
  }

  /** One watch connection, until it ends. Events update `rv` as they arrive. */
  private async watchOnce(signal: AbortSignal): Promise<WatchEnd> {
    const timeoutSeconds = this.options.timeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const query = new URLSearchParams({
      watch: '1',
      resourceVersion: this.rv,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    });
    const path = `${collectionPath(this.kind, this.options.namespace)}?${query.toString()}`;
    // A watch that hears nothing (not even a bookmark) well past its own timeout is dead.
    const local = new AbortController();
    const abort = (): void => {
      local.abort();
    };
    signal.addEventListener('abort', abort);
    const deadline = setTimeout(abort, (timeoutSeconds + 60) * 1000);
    try {
      const res = await this.api.open(path, {
        ...(this.kind.metadataOnly === true ? { accept: METADATA_WATCH_ACCEPT } : {}),
        signal: local.signal,
      });
      if (res.statusCode === 410) {
        res.resume();
        return { end: 'expired', detail: 'HTTP 410 Gone' };
      }
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        let body: unknown = '';
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        return { end: 'error', detail: `watch ${resourceNameOf(this.kind)}: HTTP ${res.statusCode ?? 0}: ${statusMessage(body)}` };
      }
      const state = { completed: false };
      res.on('end', () => {
        state.completed = true;
      });
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          if (line.trim() === '') continue;
          const gone = this.handleLine(line);
          if (gone !== undefined) {
            res.destroy();
            return gone;
          }
        }
      } catch (err: unknown) {
        return { end: 'dropped', detail: describeError(err) };
      }
      // A clean end is the server's timeout; a connection cut mid-stream never sees 'end'.
      return state.completed && !res.errored
        ? { end: 'timeout', detail: 'server closed the watch' }
        : { end: 'dropped', detail: 'connection lost' };
    } catch (err: unknown) {
      return { end: 'dropped', detail: describeError(err) };
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', abort);
    }
  }

  /** Apply one watch event; returns an end when the server said the resourceVersion is gone. */
  private handleLine(line: string): WatchEnd | undefined {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return { end: 'error', detail: `watch ${resourceNameOf(this.kind)}: a line that is not JSON` };
    }
    if (!isRecord(event) || typeof event.type !== 'string' || !isRecord(event.object)) return undefined;
    const type = event.type;
    this.hooks.onEvent?.(this.kind, type);
    if (type === 'ERROR') {
      const code = event.object.code;
      if (code === 410) return { end: 'expired', detail: statusMessage(event.object) };
      return { end: 'error', detail: `watch ${resourceNameOf(this.kind)}: ${statusMessage(event.object)}` };
    }
    const meta = isRecord(event.object.metadata) ? event.object.metadata : undefined;
    if (typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== '') this.rv = meta.resourceVersion;
    if (type === 'BOOKMARK') return undefined;
    const object = clusterObjectOf(event.object, this.kind);
    if (object === undefined) return undefined;
    if (type === 'ADDED' || type === 'MODIFIED') this.hooks.onUpsert(this.kind, object);
    else if (type === 'DELETED') this.hooks.onDelete(this.kind, object);
    return undefined;
  }
}
