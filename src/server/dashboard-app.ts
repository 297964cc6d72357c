import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

import { CATALOG, docsOf } from '../checks/catalog.js';
import { AREAS } from '../core/area.js';
import { FRAMEWORKS } from '../core/frameworks.js';
import { TOOL } from '../core/version.js';
import type { Inventory } from '../inventory/inventory.js';
import type { StoredException, Store } from '../store/store.js';
import type { RbacIndex } from '../analysis/rbac/rbac-index.js';
import { complianceOf } from './compliance-view.js';
import { accessSubjects, canAnswer, rbacIndexOf, requestOfQuery, whoCanAnswer } from './access-view.js';
import type {
  AlertsPageJson,
  ComparisonJson,
  ErrorJson,
  ExceptionJson,
  FindingDetailJson,
  FindingStatusJson,
  FleetJson,
  MetaJson,
} from './api-types.js';
import { alertJson, comparisonOf, fleetOf, parseSince } from './fleet-view.js';
import { findingRow, findingsPage, overviewOf, parseSeverities, splitList, viewFindings, type ViewFinding } from './findings-view.js';
import { analyseNetwork, networkGraph, reachAnswer, type NetworkAnalysis } from './network-view.js';
import { refuseRequest } from './request-guard.js';
import { exceptionForFinding, exceptionsYaml, isExpired, todayOf } from './stored-exceptions.js';

export interface DashboardOptions {
  readonly store: Store;
  /** `monitor`: live (served by `vigil monitor`); `store`: stored history (`vigil dashboard`). */
  readonly mode: 'monitor' | 'store';
  /** The cluster to show by default (else the one of the latest run). */
  readonly cluster?: string;
  /** Objects for the Network and Access views; undefined when none are known. */
  readonly inventory?: () => Inventory | undefined;
  /** Whether the data is complete (the monitor's first evaluation is stored). */
  readonly ready?: () => boolean;
  /** Ids of the checks that run (default: every check), for the Compliance view. */
  readonly checks?: readonly string[];
  /** Called after the stored exceptions change (the monitor re-evaluates with them). */
  readonly onExceptionsChanged?: (exceptions: readonly StoredException[]) => Promise<void> | void;
  /** Require this bearer token on /api. */
  readonly token?: string;
  /** The server listens on loopback: refuse requests whose Host is not a loopback name. */
  readonly loopbackOnly?: boolean;
  /** Folder of the built front end (index.html, app.js, app.css); default: dist/web. */
  readonly assetsDir?: string;
  /** How long derived network and RBAC data is reused in monitor mode (default 3000 ms). */
  readonly cacheMs?: number;
  readonly now?: () => Date;
}

/** A client error with a message for the user (never internals). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The built front end, looked up beside the compiled module (dist/web) or, from sources, in dist/web. */
export function defaultAssetsDir(): string | undefined {
  for (const candidate of ['../web/', '../../dist/web/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}index.html`)) return path;
  }
  return undefined;
}

const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Only our own script and styles; no inline code, no framing, no other hosts. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function query(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.query;
  if (raw === null || typeof raw !== 'object') return out;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string').join(',');
  }
  return out;
}

function param(req: FastifyRequest, name: string): string {
  const params = req.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : '';
}

function positiveInt(value: string | undefined, fallback: number, max: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ApiError(400, `${name} must be a positive whole number`);
  return Math.min(n, max);
}

const STATUSES: readonly FindingStatusJson[] = ['open', 'resolved', 'suppressed'];

const suppressBody = z
  .object({
    reason: z.string().trim().min(1, 'a reason is required: say why this finding is acceptable').max(1000),
    expires: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expires must be a date as YYYY-MM-DD')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'expires is not a real date')
      .optional(),
    owner: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

function exceptionJson(e: StoredException, today: string): ExceptionJson {
  return { ...e, expired: isExpired(e, today) };
}

/**
 * Register the dashboard on a fastify app: the JSON API under `/api/` and the built front end at `/`.
 * Used by `vigil monitor` (beside /metrics) and by `vigil dashboard`.
 */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const store = options.store;
  const now = options.now ?? (() => new Date());
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const ranChecks = new Set(options.checks ?? CATALOG.keys());
  const cacheMs = options.mode === 'store' ? Number.POSITIVE_INFINITY : (options.cacheMs ?? 3000);

  let network: { at: number; inventory: Inventory; value: NetworkAnalysis } | undefined;
  let rbac: { at: number; inventory: Inventory; value: RbacIndex } | undefined;
  const inventory = (): Inventory | undefined => options.inventory?.();
  const fresh = (entry: { at: number; inventory: Inventory } | undefined, inv: Inventory): boolean =>
    entry?.inventory === inv && Date.now() - entry.at < cacheMs;
  const networkAnalysis = (): NetworkAnalysis | undefined => {
    const inv = inventory();
    if (inv === undefined) return undefined;
    if (!fresh(network, inv)) network = { at: Date.now(), inventory: inv, value: analyseNetwork(inv) };
    return network?.value;
  };
  const rbacIndex = (): RbacIndex | undefined => {
    const inv = inventory();
    if (inv === undefined) return undefined;
    if (!fresh(rbac, inv)) rbac = { at: Date.now(), inventory: inv, value: rbacIndexOf(inv) };
    return rbac?.value;
  };

  const clusters = async (): Promise<string[]> => {
    const names = new Set(await store.clusters());
    if (options.cluster !== undefined) names.add(options.cluster);
    return [...names].sort();
  };
  const clusterOf = async (req: FastifyRequest): Promise<string | null> => {
    const asked = query(req).cluster;
    if (asked !== undefined && asked !== '') return asked;
    if (options.cluster !== undefined) return options.cluster;
    const [latest] = await store.runs({ limit: 1 });
    return latest?.cluster ?? null;
  };
  const views = async (cluster: string | null): Promise<ViewFinding[]> => {
    if (cluster === null) return [];
    const [stored, exceptions] = await Promise.all([store.findings({ cluster, status: 'all' }), store.exceptions()]);
    return viewFindings(stored, exceptions, todayOf(now()));
  };
  const exceptionsChanged = async (): Promise<void> => {
    await options.onExceptionsChanged?.(await store.exceptions());
  };

  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'no-referrer');
    void reply.header('Content-Security-Policy', CSP);
    void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const refused = refuseRequest(
      {
        method: req.method,
        host: req.headers.host,
        origin: req.headers.origin,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        secure: req.protocol === 'https',
      },
      { loopbackOnly: options.loopbackOnly ?? false, ...(options.token === undefined ? {} : { token: options.token }) },
    );
    if (refused === undefined) return;
    if (refused.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    await reply
      .code(refused.status)
      .send({ error: refused.error, ...(refused.hint === undefined ? {} : { hint: refused.hint }) } satisfies ErrorJson);
  });

  // ---- front end ----
  const sendAsset = (reply: FastifyReply, name: string, type: string): FastifyReply => {
    if (assetsDir === undefined) {
      return reply
        .code(name === 'index.html' ? 503 : 404)
        .type('text/plain; charset=utf-8')
        .send('The dashboard front end is not built: run `npm run build`.\n');
    }
    return reply.type(type).send(readFileSync(`${assetsDir}${name}`));
  };
  app.get('/', (_req, reply) => sendAsset(reply, 'index.html', 'text/html; charset=utf-8'));
  app.get('/assets/:name', (req, reply) => {
    const name = param(req, 'name');
    const type = ASSETS[name];
    if (type === undefined) return reply.code(404).type('text/plain').send('not found\n');
    return sendAsset(reply, name, type);
  });

  // ---- API ----
  app.get('/api/meta', async (): Promise<MetaJson> => {
    const list = await clusters();
    const [latest] = await store.runs({ limit: 1 });
    return {
      tool: TOOL,
      cluster: options.cluster ?? latest?.cluster ?? null,
      clusters: list,
      mode: options.mode,
      inventory: inventory() !== undefined,
      ready: options.ready?.() ?? true,
      areas: AREAS,
      frameworks: FRAMEWORKS,
    };
  });

  app.get('/api/overview', async (req) => {
    const q = query(req);
    const cluster = await clusterOf(req);
    const days = positiveInt(q.days, 14, 90, 'days');
    const [list, events, runs] = await Promise.all([
      views(cluster),
      cluster === null ? [] : store.findingEventsSince(cluster, '1970-01-01T00:00:00Z'),
      cluster === null ? [] : store.runs({ cluster, limit: 20 }),
    ]);
    const lastRun = runs.find((r) => r.status === 'ok') ?? runs[0];
    return overviewOf({
      cluster,
      views: list,
      events,
      ...(lastRun === undefined ? {} : { lastRun }),
      objects: inventory()?.size ?? lastRun?.objects ?? 0,
      now: now(),
      days,
    });
  });

  app.get('/api/findings', async (req) => {
    const q = query(req);
    const severity = parseSeverities(q.severity);
    if ('error' in severity) throw new ApiError(400, severity.error);
    const statusList = splitList(q.status);
    let status: FindingStatusJson[] | 'all' | undefined;
    if (statusList.includes('all')) status = 'all';
    else if (statusList.length > 0) {
      const bad = statusList.filter((s) => !(STATUSES as readonly string[]).includes(s));
      if (bad.length > 0) throw new ApiError(400, `unknown status "${bad.join('", "')}"`, `Use ${STATUSES.join(', ')} or all.`);
      status = statusList as FindingStatusJson[];
    }
    return findingsPage(await views(await clusterOf(req)), {
      ...(status === undefined ? {} : { status }),
      severity,
      area: splitList(q.area),
      namespace: splitList(q.namespace),
      check: splitList(q.check),
      ...(q.q === undefined ? {} : { q: q.q }),
      limit: positiveInt(q.limit, 500, 5000, 'limit'),
    });
  });

  const findView = async (req: FastifyRequest): Promise<ViewFinding> => {
    const fingerprint = param(req, 'fingerprint');
    const view = (await views(await clusterOf(req))).find((v) => v.finding.fingerprint === fingerprint);
    if (view === undefined)
      throw new ApiError(404, `no finding ${fingerprint}`, 'It may have been deleted by retention; reload the findings.');
    return view;
  };

  app.get('/api/findings/:fingerprint', async (req): Promise<FindingDetailJson> => {
    const view = await findView(req);
    const f = view.finding;
    const check = CATALOG.get(f.checkId);
    const docs = docsOf(f.checkId);
    const events = await store.findingEvents(f.fingerprint, view.stored.cluster);
    return {
      ...findingRow(view),
      remediation: f.remediation,
      ...(check === undefined ? {} : { description: check.meta.description }),
      frameworks: { ...f.frameworks },
      ...(docs === undefined ? {} : { docs }),
      events: events.map((e) => ({ type: e.type, at: e.at })),
    };
  });

  app.post('/api/findings/:fingerprint/suppress', async (req, reply) => {
    const view = await findView(req);
    const parsed = suppressBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(
        400,
        issue === undefined ? 'invalid body' : `${issue.path.join('.') || 'body'}: ${issue.message}`,
        'Send {"reason": "…", "expires": "YYYY-MM-DD"}.',
      );
    }
    const body = parsed.data;
    const today = todayOf(now());
    if (body.expires !== undefined && body.expires < today) throw new ApiError(400, `expires ${body.expires} is in the past`);
    const exception = await store.addException(
      {
        ...exceptionForFinding(view.finding),
        reason: body.reason,
        ...(body.owner === undefined ? {} : { owner: body.owner }),
        ...(body.expires === undefined ? {} : { expires: body.expires }),
        createdBy: 'dashboard',
      },
      now().toISOString(),
    );
    await exceptionsChanged();
    return reply.code(201).send(exceptionJson(exception, today));
  });

  app.get('/api/exceptions', async () => {
    const today = todayOf(now());
    return (await store.exceptions()).map((e) => exceptionJson(e, today));
  });

  app.get('/api/exceptions.yaml', async (_req, reply) =>
    reply
      .type('application/yaml; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="vigil-exceptions.yaml"')
      .send(exceptionsYaml(await store.exceptions())),
  );

  app.delete('/api/exceptions/:id', async (req, reply) => {
    const id = Number(param(req, 'id'));
    if (!Number.isInteger(id) || id < 1) throw new ApiError(400, 'an exception id is a positive whole number');
    if (!(await store.removeException(id))) throw new ApiError(404, `no exception #${id}`);
    await exceptionsChanged();
    return reply.code(204).send();
  });

  app.get('/api/compliance', async (req) => {
    const list = await views(await clusterOf(req));
    return complianceOf({
      catalog: CATALOG,
      ran: ranChecks,
      findings: list.filter((v) => v.status !== 'resolved').map((v) => v.finding),
    });
  });

  app.get('/api/network', (req) => {
    const ns = query(req).namespace;
    return networkGraph(networkAnalysis(), ns === undefined || ns === '' ? undefined : ns);
  });

  app.get('/api/network/reach', (req) => {
    const analysis = networkAnalysis();
    if (analysis === undefined) throw new ApiError(409, 'no objects are loaded, so reachability cannot be answered');
    const q = query(req);
    return reachAnswer(analysis, {
      from: q.from ?? '',
      to: q.to ?? '',
      port: q.port ?? '',
      ...(q.protocol === undefined || q.protocol === '' ? {} : { protocol: q.protocol }),
    });
  });

  const requireRbac = (): RbacIndex => {
    const index = rbacIndex();
    if (index === undefined) throw new ApiError(409, 'no objects are loaded, so access cannot be answered');
    return index;
  };

  app.get('/api/access/subjects', () => accessSubjects(requireRbac()));

  app.get('/api/access/can', (req) => {
    const index = requireRbac();
    const q = query(req);
    const user = q.user?.trim() ?? '';
    if (user === '') throw new ApiError(400, 'give a user', 'A user name such as jane, or system:serviceaccount:shop:web.');
    const request = requestOfQuery(q);
    if ('error' in request) throw new ApiError(400, request.error, request.hint);
    return canAnswer(index, user, splitList(q.groups), request);
  });

  app.get('/api/access/who-can', (req) => {
    const request = requestOfQuery(query(req));
    if ('error' in request) throw new ApiError(400, request.error, request.hint);
    return whoCanAnswer(requireRbac(), request);
  });

  // The fleet: every cluster of the store side by side, and a finding-by-finding comparison.
  const fleetWindow = (q: Record<string, string | undefined>): string => {
    const since = parseSince(q.since ?? '24h', now());
    if (since === undefined)
      throw new ApiError(400, `since "${q.since ?? ''}" is neither a duration nor a time`, 'Use 24h, 7d or an ISO 8601 time.');
    return since;
  };
  const namedClusters = async (q: Record<string, string | undefined>, minimum: number): Promise<string[]> => {
    const known = await clusters();
    const asked = splitList(q.clusters);
    const unknown = asked.filter((c) => !known.includes(c));
    if (unknown.length > 0)
      throw new ApiError(400, `unknown cluster "${unknown.join('", "')}"`, `The store holds: ${known.join(', ') || 'none'}.`);
    const list = asked.length > 0 ? [...new Set(asked)] : known;
    if (list.length < minimum) throw new ApiError(400, `a comparison needs at least ${minimum} clusters; the store holds ${known.length}`);
    return list;
  };
  app.get('/api/fleet', async (req): Promise<FleetJson> => {
    const q = query(req);
    return fleetOf(store, await namedClusters(q, 0), fleetWindow(q), now());
  });
  app.get('/api/fleet/compare', async (req): Promise<ComparisonJson> => {
    const q = query(req);
    const limit = positiveInt(q.limit, 500, 10_000, 'limit');
    return comparisonOf(store, await namedClusters(q, 2), { since: fleetWindow(q), now: now(), limit });
  });

  // Alerts of every source (audit rules, Falco, runtime, findings) in one timeline; the view filters by `source`.
  app.get('/api/alerts', async (req): Promise<AlertsPageJson> => {
    const q = query(req);
    const limit = positiveInt(q.limit, 500, 10_000, 'limit');
    const since = q.since === undefined || q.since === '' ? undefined : isoOrThrow(q.since, 'since');
    const severity = parseSeverities(q.severity);
    if ('error' in severity) throw new ApiError(400, severity.error);
    const sources = splitList(q.source);
    const rules = splitList(q.rule);
    const stored = await store.alerts({ ...(since === undefined ? {} : { since }), limit: 100_000 });
    const cluster = await clusterOf(req);
    // Alerts raised before clusters were named (or by a single-cluster process) carry no cluster: they belong to every view.
    const inCluster = stored.filter((s) => cluster === null || s.alert.cluster === undefined || s.alert.cluster === cluster);
    const matching = inCluster
      .filter((s) => sources.length === 0 || sources.includes(s.alert.source))
      .filter((s) => severity.length === 0 || severity.includes(s.alert.severity))
      .filter((s) => rules.length === 0 || rules.includes(s.alert.rule));
    return {
      total: matching.length,
      sources: [...new Set(inCluster.map((s) => s.alert.source))].sort(),
      // A timeline: by the time of what happened, newest first (a replayed log is recorded long after).
      alerts: matching
        .map((s, i) => ({ s, i }))
        .sort((a, b) => (a.s.alert.time < b.s.alert.time ? 1 : a.s.alert.time > b.s.alert.time ? -1 : b.i - a.i))
        .slice(0, limit)
        .map(({ s }) => alertJson(s.alert, s.recordedAt)),
    };
  });

  app.get('/api/audit/events', async (req) => {
    const q = query(req);
    const code = q.code === undefined || q.code === '' ? undefined : Number(q.code);
    if (code !== undefined && (!Number.isInteger(code) || code < 0 || code > 999))
      throw new ApiError(400, 'code must be an HTTP status code such as 403');
    const cluster = await clusterOf(req);
    return store.auditEvents({
      ...(cluster === null ? {} : { cluster }),
      ...(q.user === undefined ? {} : { user: q.user.trim() }),
      ...(q.verb === undefined ? {} : { verb: q.verb.trim() }),
      ...(q.resource === undefined ? {} : { resource: q.resource.trim() }),
      ...(q.namespace === undefined ? {} : { namespace: q.namespace.trim() }),
      ...(code === undefined ? {} : { code }),
      ...(q.since === undefined || q.since === '' ? {} : { since: isoOrThrow(q.since, 'since') }),
      ...(q.until === undefined || q.until === '' ? {} : { until: isoOrThrow(q.until, 'until') }),
      limit: positiveInt(q.limit, 200, 5000, 'limit'),
    });
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.status).send({ error: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) } satisfies ErrorJson);
    }
    // Fastify's own client errors (a body that is not JSON, too large) carry a 4xx status code.
    const status = typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
    if (status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : 'bad request';
      return reply.code(status).send({ error: message } satisfies ErrorJson);
    }
    return reply.code(500).send({ error: 'internal error' } satisfies ErrorJson);
  });
}

function isoOrThrow(value: string, name: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new ApiError(400, `${name} is not a time`, 'Give an ISO 8601 time such as 2026-01-31T12:00:00Z.');
  return new Date(time).toISOString();
}

/** The dashboard as a fastify plugin (encapsulated: its hooks and error handler apply to its own routes only). */
export function dashboardPlugin(options: DashboardOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => {
    registerDashboard(app, options);
    return Promise.resolve();
  };
}

/** A standalone dashboard server (`vigil dashboard`). */
export function buildDashboardApp(
  options: DashboardOptions,
  tls?: { readonly key: string | Buffer; readonly cert: string | Buffer },
): FastifyInstance {
  const app = (
    tls === undefined ? Fastify({ logger: false }) : Fastify({ logger: false, https: { key: tls.key, cert: tls.cert } })
  ) as FastifyInstance;
  void app.register(dashboardPlugin(options));
  app.get('/healthz', (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).send({ error: 'not found' } satisfies ErrorJson);
    return reply.code(404).type('text/plain').send('not found\n');
  });
  return app;
}
