import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import type { KubeObject } from '../k8s/types.js';
import { apiVersionOf, CLUSTER_KINDS, resourceNameOf, type ClusterKind } from '../sources/cluster-kinds.js';

/**
 * A fake Kubernetes API server for tests and benchmarks: it speaks the real list/watch protocol over
 * HTTP or HTTPS on loopback, so the real `@kubernetes/client-node` configuration code (kubeconfig,
 * tokens, CA) and Vigil's list/watch code can be tested without a cluster. It is not a Kubernetes:
 * it stores objects and serves them the way kube-apiserver does
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/):
 *
 * - discovery (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`), enough for `kubectl get`;
 * - lists with `metadata.resourceVersion`, `limit` and `continue` tokens (consistent snapshots;
 *   tokens expire on {@link FakeKubeApiServer.compact} with 410 Gone, reason `Expired`);
 * - watches (`?watch=1&resourceVersion=…&allowWatchBookmarks=true&timeoutSeconds=…`) streaming one
 *   JSON event per line: ADDED, MODIFIED, DELETED, BOOKMARK; a watch from a compacted
 *   resourceVersion gets an ERROR event carrying a 410 Status (or an HTTP 410, as configured);
 * - metadata-only reads (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`);
 * - bearer-token authentication (401) and per-resource denial (403 with the API server's wording);
 * - faults on demand: dropped watch connections, compaction, bookmarks.
 */
export interface FakeKubeApiServerOptions {
  /** Kinds served (default: every kind Vigil reads). */
  readonly kinds?: readonly ClusterKind[];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Resource names (`secrets`, `clusterroles.rbac.authorization.k8s.io`) the caller may not list or watch. */
  readonly forbidden?: readonly string[];
  /** How a watch from a compacted resourceVersion is refused: an ERROR event (the server's way) or an HTTP 410. */
  readonly gone?: 'event' | 'status';
  /** Objects to start with. */
  readonly objects?: readonly KubeObject[];
}

/** A request as the server saw it, for assertions. */
export interface RecordedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly accept: string;
  readonly watch: boolean;
}

interface StoredEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: ClusterKind;
  readonly object: KubeObject;
}

interface OpenWatch {
  readonly kind: ClusterKind;
  readonly namespace: string | undefined;
  readonly metadataOnly: boolean;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  readonly socket: Socket;
}

const PARTIAL_LIST = /as=PartialObjectMetadataList/i;
const PARTIAL_ONE = /as=PartialObjectMetadata(?!List)/i;

function kindKey(kind: ClusterKind): string {
  return `${kind.group}/${kind.plural}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FakeKubeApiServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly kinds: readonly ClusterKind[];
  private readonly byKind = new Map<string, ClusterKind>();
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private history: StoredEvent[] = [];
  private readonly snapshots = new Map<string, { items: KubeObject[]; rv: number }>();
  private readonly watches = new Set<OpenWatch>();
  private readonly forbidden: Set<string>;
  private rv = 100;
  private compactedRv = 0;
  private server: http.Server | https.Server | undefined;
  private baseUrl = '';

  private constructor(private readonly options: FakeKubeApiServerOptions) {
    this.kinds = options.kinds ?? CLUSTER_KINDS;
    for (const kind of this.kinds) {
      this.byKind.set(kindKey(kind), kind);
      this.store.set(kindKey(kind), new Map());
    }
    this.forbidden = new Set(options.forbidden ?? []);
    for (const object of options.objects ?? []) this.apply(object);
  }

  /** Start a server on 127.0.0.1 on a free port. */
  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer(options);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      fake.handle(req, res);
    };
    const server = options.tls === undefined ? http.createServer(handler) : https.createServer({ ...options.tls }, handler);
    fake.server = server;
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    fake.baseUrl = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
    return fake;
  }

  /** `http://127.0.0.1:PORT` or `https://…`. */
  get url(): string {
    return this.baseUrl;
  }

  /** The current resourceVersion (of the last change). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Open watch connections. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** A kubeconfig for this server, as YAML, for `vigil --kubeconfig` and client-node. */
  kubeconfig(options: { context?: string; token?: string } = {}): string {
    const context = options.context ?? 'fake';
    const token = options.token ?? this.options.token;
    const cluster =
      this.options.tls === undefined
        ? // client-node refuses plain http unless TLS verification is explicitly off.
          `    server: ${this.baseUrl}\n    insecure-skip-tls-verify: true\n`
        : `    server: ${this.baseUrl}\n    certificate-authority-data: ${Buffer.from(this.options.tls.cert).toString('base64')}\n`;
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      cluster.trimEnd(),
      'users:',
      `- name: ${context}`,
      `  user: ${token === undefined ? '{}' : `\n    token: ${token}`}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  private kindOf(object: KubeObject): ClusterKind {
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    const kind = this.kinds.find((k) => k.group === group && k.kind === object.kind);
    if (kind === undefined) throw new Error(`fake API server: kind ${object.apiVersion} ${object.kind} is not served`);
    return kind;
  }

  private static nameKey(kind: ClusterKind, namespace: string | undefined, name: string): string {
    return kind.namespaced ? `${namespace ?? 'default'}/${name}` : name;
  }

  /** Create or replace an object (ADDED or MODIFIED). Returns the stored object with its new resourceVersion. */
  apply(object: KubeObject): KubeObject {
    const kind = this.kindOf(object);
    const objects = this.store.get(kindKey(kind)) as Map<string, KubeObject>;
    const namespace = kind.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const key = FakeKubeApiServer.nameKey(kind, namespace, object.metadata.name);
    const previous = objects.get(key);
    this.rv++;
    const stored: KubeObject = {
      ...object,
      apiVersion: apiVersionOf(kind),
      kind: kind.kind,
      metadata: {
        ...object.metadata,
        ...(namespace === undefined ? {} : { namespace }),
        uid: previous?.metadata.uid ?? object.metadata.uid ?? randomUUID(),
        resourceVersion: String(this.rv),
        creationTimestamp: previous?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? new Date(0).toISOString(),
      },
    };
    objects.set(key, stored);
    this.publish({ rv: this.rv, type: previous === undefined ? 'ADDED' : 'MODIFIED', kind, object: stored });
    return stored;
  }

  /** Delete an object (DELETED). Returns false when it did not exist. */
  delete(apiVersion: string, kindName: string, namespace: string | undefined, name: string): boolean {
    const kind = this.kindOf({ apiVersion, kind: kindName, metadata: { name } });
    const objects = this.store.get(kindKey(kind)) as Map<string, KubeObject>;
    const key = FakeKubeApiServer.nameKey(kind, namespace, name);
    const previous = objects.get(key);
    if (previous === undefined) return false;
    objects.delete(key);
    this.rv++;
    this.publish({
      rv: this.rv,
      type: 'DELETED',
      kind,
      object: { ...previous, metadata: { ...previous.metadata, resourceVersion: String(this.rv) } },
    });
    return true;
  }

  /** Objects of a kind currently stored. */
  list(apiVersion: string, kindName: string): KubeObject[] {
    const kind = this.kindOf({ apiVersion, kind: kindName, metadata: { name: 'x' } });
    return [...(this.store.get(kindKey(kind)) as Map<string, KubeObject>).values()];
  }

  /**
   * Forget the event history and every continue token, like etcd compaction: watches that resume
   * from an older resourceVersion get 410 Gone, and so do continued lists.
   */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
    this.snapshots.clear();
  }

  /** Cut every open watch connection without a goodbye (a load balancer timing out, a restarted API server). */
  dropWatches(): number {
    const count = this.watches.size;
    for (const watch of this.watches) watch.socket.destroy();
    this.watches.clear();
    return count;
  }

  /** Send a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      this.send(watch, {
        type: 'BOOKMARK',
        object: { kind: watch.kind.kind, apiVersion: apiVersionOf(watch.kind), metadata: { resourceVersion: String(this.rv) } },
      });
    }
  }

  async close(): Promise<void> {
    this.dropWatches();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private publish(event: StoredEvent): void {
    this.history.push(event);
    for (const watch of this.watches) {
      if (this.matches(watch, event)) this.send(watch, { type: event.type, object: this.shape(event.object, watch.metadataOnly) });
    }
  }

  private matches(watch: OpenWatch, event: StoredEvent): boolean {
    return (
      kindKey(watch.kind) === kindKey(event.kind) && (watch.namespace === undefined || event.object.metadata.namespace === watch.namespace)
    );
  }

  private send(watch: OpenWatch, event: unknown): void {
    if (!watch.res.writableEnded && !watch.socket.destroyed) watch.res.write(`${JSON.stringify(event)}\n`);
  }

  /** An object as served: whole, or as PartialObjectMetadata. */
  private shape(object: KubeObject, metadataOnly: boolean): KubeObject {
    return metadataOnly ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: object.metadata } : object;
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const watch = query.watch === '1' || query.watch === 'true';
    const accept = req.headers.accept ?? '';
    this.requests.push({ path: url.pathname, query, accept, watch });
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      this.status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (req.method !== 'GET') {
      this.status(res, 405, 'MethodNotAllowed', `the fake API server only serves GET, not ${req.method ?? '?'}`);
      return;
    }
    if (this.discovery(url.pathname, res)) return;
    const route = this.route(url.pathname);
    if (route === undefined) {
      this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    const { kind, namespace } = route;
    if (this.forbidden.has(kind.plural) || this.forbidden.has(resourceNameOf(kind))) {
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      this.status(
        res,
        403,
        'Forbidden',
        `${resourceNameOf(kind)} is forbidden: User "system:serviceaccount:vigil:vigil" cannot ${watch ? 'watch' : 'list'} resource "${kind.plural}" in API group "${kind.group}" ${scope}`,
      );
      return;
    }
    if (watch) this.serveWatch(req, res, kind, namespace, query, accept);
    else this.serveList(res, kind, namespace, query, accept);
  }

  private route(pathname: string): { kind: ClusterKind; namespace: string | undefined } | undefined {
    const parts = pathname.split('/').filter((p) => p !== '');
    let group: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      rest = parts.slice(1);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1] as string;
      rest = parts.slice(2);
    } else {
      return undefined;
    }
    const version = rest[0];
    let namespace: string | undefined;
    let plural: string | undefined;
    if (rest.length === 2) plural = rest[1];
    else if (rest.length === 4 && rest[1] === 'namespaces') {
      namespace = decodeURIComponent(rest[2] as string);
      plural = rest[3];
    } else return undefined;
    const kind = this.byKind.get(`${group}/${plural ?? ''}`);
    if (kind === undefined || kind.version !== version) return undefined;
    if (namespace !== undefined && !kind.namespaced) return undefined;
    return { kind, namespace };
  }

  /** Legacy discovery documents, enough for kubectl to map `pods` or `deployments.apps` to a path. */
  private discovery(pathname: string, res: ServerResponse): boolean {
    const path = pathname.replace(/\/$/, '');
    const groups = new Map<string, Set<string>>();
    for (const kind of this.kinds) {
      if (kind.group === '') continue;
      const versions = groups.get(kind.group) ?? new Set<string>();
      versions.add(kind.version);
      groups.set(kind.group, versions);
    }
    const resources = (group: string, version: string): unknown => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: this.kinds
        .filter((k) => k.group === group && k.version === version)
        .map((k) => ({
          name: k.plural,
          singularName: k.kind.toLowerCase(),
          namespaced: k.namespaced,
          kind: k.kind,
          verbs: ['get', 'list', 'watch'],
        })),
    });
    if (path === '/api') {
      this.json(res, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      });
      return true;
    }
    if (path === '/apis') {
      this.json(res, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups].map(([name, versions]) => {
          const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
          return { name, versions: list, preferredVersion: list[0] };
        }),
      });
      return true;
    }
    if (path === '/api/v1') {
      this.json(res, resources('', 'v1'));
      return true;
    }
    const match = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (match !== null && groups.get(match[1] as string)?.has(match[2] as string) === true) {
      this.json(res, resources(match[1] as string, match[2] as string));
      return true;
    }
    if (path === '/version') {
      this.json(res, { major: '1', minor: '33', gitVersion: 'v1.33.0-fake', platform: 'linux/amd64' });
      return true;
    }
    return false;
  }

  private current(kind: ClusterKind, namespace: string | undefined): KubeObject[] {
    const objects = [...(this.store.get(kindKey(kind)) as Map<string, KubeObject>).values()].filter(
      (o) => namespace === undefined || o.metadata.namespace === namespace,
    );
    // etcd returns keys in order: namespace, then name.
    return objects.sort(
      (a, b) => compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareText(a.metadata.name, b.metadata.name),
    );
  }

  private serveList(
    res: ServerResponse,
    kind: ClusterKind,
    namespace: string | undefined,
    query: Readonly<Record<string, string>>,
    accept: string,
  ): void {
    const limit = Number(query.limit ?? '0');
    let items: KubeObject[];
    let rv: number;
    let offset = 0;
    if (query.continue !== undefined && query.continue !== '') {
      const [id, start] = Buffer.from(query.continue, 'base64url').toString('utf8').split(':');
      const snapshot = this.snapshots.get(id ?? '');
      if (snapshot === undefined) {
        this.status(
          res,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
        return;
      }
      items = snapshot.items;
      rv = snapshot.rv;
      offset = Number(start);
    } else {
      items = this.current(kind, namespace);
      rv = this.rv;
    }
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const end = offset + page.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (end < items.length) {
      const id = randomUUID();
      this.snapshots.set(id, { items, rv });
      metadata.continue = Buffer.from(`${id}:${end}`).toString('base64url');
      metadata.remainingItemCount = items.length - end;
    }
    const metadataOnly = PARTIAL_LIST.test(accept);
    // Items of a typed list carry no apiVersion and kind, as kube-apiserver sends them.
    const strip = (o: KubeObject): unknown => {
      if (metadataOnly) return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata };
      const item: Record<string, unknown> = { ...o };
      delete item.apiVersion;
      delete item.kind;
      return item;
    };
    this.json(res, {
      apiVersion: metadataOnly ? 'meta.k8s.io/v1' : apiVersionOf(kind),
      kind: metadataOnly ? 'PartialObjectMetadataList' : `${kind.kind}List`,
      metadata,
      items: page.map(strip),
    });
  }

  private serveWatch(
    req: IncomingMessage,
    res: ServerResponse,
    kind: ClusterKind,
    namespace: string | undefined,
    query: Readonly<Record<string, string>>,
    accept: string,
  ): void {
    const from = query.resourceVersion === undefined || query.resourceVersion === '' ? 0 : Number(query.resourceVersion);
    const metadataOnly = PARTIAL_ONE.test(accept);
    if (from !== 0 && from < this.compactedRv) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      if (this.options.gone === 'status') {
        this.status(res, 410, 'Expired', message);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const watch: OpenWatch = {
      kind,
      namespace,
      metadataOnly,
      bookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1',
      res,
      socket: req.socket,
    };
    if (from === 0) {
      // resourceVersion unset or "0": start with synthetic ADDED events for the current state.
      for (const object of this.current(kind, namespace)) this.send(watch, { type: 'ADDED', object: this.shape(object, metadataOnly) });
    } else {
      for (const event of this.history) {
        if (event.rv > from && this.matches(watch, event))
          this.send(watch, { type: event.type, object: this.shape(event.object, metadataOnly) });
      }
    }
    this.watches.add(watch);
    const timeout = Number(query.timeoutSeconds ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const forget = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      this.watches.delete(watch);
    };
    res.on('close', forget);
    req.socket.on('close', forget);
  }
}
