import type { InputProblem } from '../core/errors.js';
import { VigilError } from '../core/errors.js';
import { isRecord } from '../k8s/guards.js';
import type { KubeObject } from '../k8s/types.js';
import { apiVersionOf, CLUSTER_KINDS, collectionPath, resourceNameOf, type ClusterKind } from './cluster-kinds.js';
import { statusMessage, type KubeApi } from './kube-api.js';
import type { SourcedObject } from './manifest-objects.js';

/**
 * Media types that ask the API server for metadata only (PartialObjectMetadata), the way
 * `kubectl get --show-kind -o name` and client-go's metadata informers do
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables is the
 * sibling mechanism; the metadata form is `as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`).
 */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;q=0.1';
export const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;q=0.1';

/** `kubectl apply` copies the whole object, Secret data included, into this annotation. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const DEFAULT_PAGE_SIZE = 500;

/** How reading one kind went. */
export type KindOutcome =
  | { readonly status: 'listed'; readonly count: number; readonly resourceVersion: string; readonly pages: number }
  | { readonly status: 'forbidden' | 'not-served' | 'failed'; readonly httpStatus: number; readonly message: string };

export interface KindReport {
  readonly kind: ClusterKind;
  readonly outcome: KindOutcome;
}

export interface ClusterReadResult {
  readonly objects: SourcedObject[];
  readonly problems: InputProblem[];
  readonly kinds: readonly KindReport[];
  readonly server: string;
  readonly context: string;
}

export interface ClusterReadOptions {
  /** Read namespaced kinds from this namespace only (cluster-scoped kinds are still read). */
  readonly namespace?: string;
  readonly kinds?: readonly ClusterKind[];
  /** Items per page (`limit`); the server may return fewer. */
  readonly pageSize?: number;
  /** Lists running at once. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/**
 * Turn an item of a list or a watch event into the object Vigil keeps. List items arrive without
 * apiVersion and kind (the API server omits them inside typed lists), so they are filled from the
 * kind. `metadata.managedFields` is dropped (bookkeeping that can double an object's size). For
 * metadata-only kinds everything but metadata is dropped and the last-applied annotation removed, so
 * that no Secret value is ever held, even if a server ignored the metadata-only media type.
 */
export function clusterObjectOf(raw: unknown, kind: ClusterKind): KubeObject | undefined {
  if (!isRecord(raw) || !isRecord(raw.metadata)) return undefined;
  if (typeof raw.metadata.name !== 'string' || raw.metadata.name === '') return undefined;
  const metadata: Record<string, unknown> = { ...raw.metadata };
  delete metadata.managedFields;
  if (kind.metadataOnly === true) {
    if (isRecord(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
      metadata.annotations = Object.fromEntries(Object.entries(metadata.annotations).filter(([key]) => key !== LAST_APPLIED));
    }
    return { apiVersion: apiVersionOf(kind), kind: kind.kind, metadata: metadata as unknown as KubeObject['metadata'] };
  }
  return { ...raw, apiVersion: apiVersionOf(kind), kind: kind.kind, metadata: metadata as unknown as KubeObject['metadata'] };
}

function outcomeOfStatus(kind: ClusterKind, status: number, body: unknown): KindOutcome {
  const message = statusMessage(body);
  if (status === 401) {
    throw new VigilError(`the API server rejected Vigil's credentials (401 Unauthorized): ${message}`, {
      hint: 'Refresh the kubeconfig credentials (log in again) or check the service account token.',
    });
  }
  if (status === 403) return { status: 'forbidden', httpStatus: status, message };
  if (status === 404) return { status: 'not-served', httpStatus: status, message };
  return { status: 'failed', httpStatus: status, message: `HTTP ${status}: ${message}` };
}

/** One page of a list, or why there is none. */
type Page =
  | { readonly ok: true; readonly items: unknown[]; readonly resourceVersion: string; readonly continueToken: string }
  | { readonly ok: false; readonly status: number; readonly body: unknown };

async function listPage(api: KubeApi, kind: ClusterKind, options: ClusterReadOptions, continueToken: string): Promise<Page> {
  const query = new URLSearchParams({ limit: String(options.pageSize ?? DEFAULT_PAGE_SIZE) });
  if (continueToken !== '') query.set('continue', continueToken);
  const path = `${collectionPath(kind, options.namespace)}?${query.toString()}`;
  const { status, body } = await api.get(path, {
    ...(kind.metadataOnly === true ? { accept: METADATA_LIST_ACCEPT } : {}),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (status !== 200 || !isRecord(body)) return { ok: false, status, body };
  const meta = isRecord(body.metadata) ? body.metadata : {};
  return {
    ok: true,
    items: Array.isArray(body.items) ? (body.items as unknown[]) : [],
    resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '',
    continueToken: typeof meta.continue === 'string' ? meta.continue : '',
  };
}

/**
 * List every object of one kind, following `continue` tokens. When a token expires mid-way (410
 * Gone, https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks)
 * the list starts again from the beginning, as client-go's pager does, so the result is one
 * consistent snapshot at the returned resourceVersion.
 */
export async function listKind(
  api: KubeApi,
  kind: ClusterKind,
  options: ClusterReadOptions = {},
): Promise<{ objects: KubeObject[]; skipped: number; outcome: KindOutcome }> {
  const maxAttempts = 4;
  for (let attempt = 1; ; attempt++) {
    const objects: KubeObject[] = [];
    let skipped = 0;
    let token = '';
    let pages = 0;
    for (;;) {
      const page = await listPage(api, kind, options, token);
      if (!page.ok) {
        // An expired continue token: start the list again (a fresh snapshot).
        if (page.status === 410 && token !== '' && attempt < maxAttempts) break;
        return { objects: [], skipped: 0, outcome: outcomeOfStatus(kind, page.status, page.body) };
      }
      pages++;
      for (const item of page.items) {
        const object = clusterObjectOf(item, kind);
        if (object === undefined) skipped++;
        else objects.push(object);
      }
      if (page.continueToken === '') {
        return { objects, skipped, outcome: { status: 'listed', count: objects.length, resourceVersion: page.resourceVersion, pages } };
      }
      token = page.continueToken;
    }
  }
}

/** Problems for kinds that could not be read: reported so a partial picture is never taken for a whole one. */
export function kindProblems(reports: readonly KindReport[], server: string, namespace?: string): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const { kind, outcome } of reports) {
    if (outcome.status === 'listed') continue;
    const resource = resourceNameOf(kind);
    const where = `${server}${collectionPath(kind, namespace)}`;
    if (outcome.status === 'forbidden') {
      problems.push({
        code: 'forbidden',
        level: 'warning',
        location: { file: where },
        message: `not allowed to list ${resource}: checks that need ${kind.kind} objects see none`,
        hint: `Grant list and watch on ${resource}${kind.namespaced && namespace === undefined ? ' in all namespaces' : ''} (see deploy/ for Vigil's ClusterRole), or read one namespace with -n.`,
      });
    } else if (outcome.status === 'not-served') {
      // Optional add-ons (a service mesh) are often absent; built-in kinds missing means an old or unusual cluster.
      problems.push({
        code: 'not-served',
        level: kind.optional === true ? 'warning' : 'error',
        location: { file: where },
        message: `the API server does not serve ${resource} (${apiVersionOf(kind)})${kind.optional === true ? '; the add-on is not installed' : ''}`,
        hint:
          kind.optional === true
            ? 'Nothing to do unless you expected it to be installed.'
            : 'Check the cluster version and its enabled API groups.',
      });
    } else {
      problems.push({
        code: 'cluster-read',
        level: 'error',
        location: { file: where },
        message: `could not list ${resource}: ${outcome.message}`,
        hint: 'Retry; if it persists, check the API server logs.',
      });
    }
  }
  return problems;
}

/**
 * Read every kind the checks need from a live cluster (one consistent list per kind, paginated).
 * Kinds the identity may not list, or that the server does not serve, are reported as problems and
 * the rest is still returned. Throws only when the API server is unreachable or rejects the
 * credentials outright.
 */
export async function readCluster(api: KubeApi, options: ClusterReadOptions = {}): Promise<ClusterReadResult> {
  const kinds = options.kinds ?? CLUSTER_KINDS;
  const reports: KindReport[] = new Array<KindReport>(kinds.length);
  const perKind: KubeObject[][] = kinds.map(() => []);
  const problems: InputProblem[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < kinds.length) {
      const index = next++;
      const kind = kinds[index] as ClusterKind;
      const { objects, skipped, outcome } = await listKind(api, kind, options);
      perKind[index] = objects;
      reports[index] = { kind, outcome };
      if (skipped > 0) {
        problems.push({
          code: 'missing-field',
          level: 'warning',
          location: { file: `${api.server}${collectionPath(kind, options.namespace)}` },
          message: `${skipped} ${resourceNameOf(kind)} item(s) had no metadata.name and were skipped`,
          hint: 'This should not happen with a conforming API server; report it with the server version.',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, kinds.length) }, worker));
  const objects: SourcedObject[] = perKind.flat().map((object) => ({ object }));
  return {
    objects,
    problems: [...kindProblems(reports, api.server, options.namespace), ...problems],
    kinds: reports,
    server: api.server,
    context: api.contextName,
  };
}
