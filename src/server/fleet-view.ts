import { severityRank, type Severity } from '../core/severity.js';
import { parseDuration } from '../audit/duration.js';
import { apiGroupOf, type ResourceRef } from '../core/resource-ref.js';
import { areaCounts, emptySeverityCounts, postureScore, severityCounts } from '../report/posture-summary.js';
import type { FindingEvent, ScanRun, StoredAlert, Store } from '../store/store.js';
import type { Alert } from '../core/alert.js';
import type {
  AlertJson,
  CheckComparisonJson,
  ClusterDetailJson,
  CheckCountJson,
  ClusterSummaryJson,
  ComparisonJson,
  DriftFindingJson,
  FindingPlacement,
  FleetJson,
  RunJson,
} from './api-types.js';
import { findingsPage, viewFindings, type ViewFinding } from './findings-view.js';
import { todayOf } from './stored-exceptions.js';

/*
 * The fleet: every cluster one store holds, side by side. Shared by `vigil report` and the
 * dashboard's `/api/fleet`. Findings carry the same fingerprint in every cluster (it is made of the
 * check, the object's identity and the field, never the cluster), so the same problem on the same
 * object deployed to two clusters is recognised as one — which is what makes a comparison exact.
 */

/** What the fleet views read of one cluster. */
export interface ClusterData {
  readonly cluster: string;
  readonly views: readonly ViewFinding[];
  /** Finding events at or after the window's start. */
  readonly events: readonly FindingEvent[];
  /** Newest first. */
  readonly runs: readonly ScanRun[];
  /** Alerts of the cluster recorded in the window. */
  readonly alerts: readonly StoredAlert[];
}

/** Read one cluster's findings (with the store's exceptions applied), recent events, runs and alerts. */
export async function loadClusterData(store: Store, cluster: string, since: string, now: Date): Promise<ClusterData> {
  const [stored, exceptions, events, runs, alerts] = await Promise.all([
    store.findings({ cluster, status: 'all' }),
    store.exceptions(),
    store.findingEventsSince(cluster, since),
    store.runs({ cluster, limit: 50 }),
    store.alerts({ cluster, since }),
  ]);
  return { cluster, views: viewFindings(stored, exceptions, todayOf(now)), events, runs, alerts };
}

function runJson(run: ScanRun): RunJson {
  return {
    kind: run.kind,
    startedAt: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    status: run.status,
    objects: run.objects,
    findings: run.findings,
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Open (unsuppressed) findings grouped by check, most severe first, then most findings. */
export function checkCounts(views: readonly ViewFinding[]): CheckCountJson[] {
  const byCheck = new Map<string, { checkId: string; title: string; area: string; severity: Severity; findings: number }>();
  for (const v of views) {
    if (v.status !== 'open') continue;
    const f = v.finding;
    const entry = byCheck.get(f.checkId);
    if (entry === undefined)
      byCheck.set(f.checkId, { checkId: f.checkId, title: f.title, area: f.area, severity: f.severity, findings: 1 });
    else {
      entry.findings++;
      if (severityRank(f.severity) > severityRank(entry.severity)) entry.severity = f.severity;
    }
  }
  return [...byCheck.values()].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.findings - a.findings || compareText(a.checkId, b.checkId),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One cluster's line of the fleet report. */
export function summarizeCluster(data: ClusterData, topChecks = 5): ClusterSummaryJson {
  const standing = data.views.filter((v) => v.status === 'open').map((v) => v.finding);
  const suppressed = data.views.filter((v) => v.status === 'suppressed').length;
  const lastRun = data.runs[0];
  const lastFinished = data.runs.find((r) => r.status === 'ok');
  const changed = (type: FindingEvent['type']): number =>
    new Set(data.events.filter((e) => e.type === type).map((e) => e.fingerprint)).size;
  const alertSeverities = emptySeverityCounts();
  for (const a of data.alerts) alertSeverities[a.alert.severity]++;
  return {
    cluster: data.cluster,
    ...(lastRun === undefined ? {} : { lastRun: runJson(lastRun) }),
    score: postureScore(standing, lastFinished?.objects ?? 0),
    open: { total: standing.length, suppressed, bySeverity: severityCounts(standing) },
    byArea: areaCounts(standing),
    changes: { opened: changed('opened'), reopened: changed('reopened'), resolved: changed('resolved') },
    alerts: { total: data.alerts.length, bySeverity: alertSeverities, bySource: countBy(data.alerts, (a) => a.alert.source) },
    topChecks: checkCounts(data.views).slice(0, topChecks),
  };
}

function objectKey(ref: ResourceRef): string {
  return `${apiGroupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/**
 * Compare clusters finding by finding. A finding is drift when it is open (and not suppressed) in
 * at least one compared cluster and not open in another; for the others it says why: suppressed,
 * fixed (resolved), passing (the object is known there without this finding) or unknown (nothing
 * is known of the object there, so it may simply not be deployed).
 */
export function compareClusters(data: readonly ClusterData[], options: { now: Date; since: string; limit?: number }): ComparisonJson {
  const clusters = data.map((d) => d.cluster);
  const placements = new Map<string, Map<string, FindingPlacement>>();
  const sample = new Map<string, ViewFinding>();
  const objects = new Map<string, Set<string>>();
  for (const d of data) {
    const known = new Set<string>();
    objects.set(d.cluster, known);
    for (const v of d.views) {
      known.add(objectKey(v.finding.resource));
      const fp = v.finding.fingerprint;
      let byCluster = placements.get(fp);
      if (byCluster === undefined) placements.set(fp, (byCluster = new Map<string, FindingPlacement>()));
      byCluster.set(d.cluster, v.status === 'open' ? 'open' : v.status === 'suppressed' ? 'suppressed' : 'resolved');
      const before = sample.get(fp);
      // Describe the finding by an open copy when there is one (its message is current).
      if (before === undefined || (before.status !== 'open' && v.status === 'open')) sample.set(fp, v);
    }
  }
  let common = 0;
  const drift: DriftFindingJson[] = [];
  for (const [fp, byCluster] of placements) {
    const openIn = clusters.filter((c) => byCluster.get(c) === 'open').length;
    if (openIn === 0) continue;
    if (openIn === clusters.length) {
      common++;
      continue;
    }
    const view = sample.get(fp) as ViewFinding;
    const f = view.finding;
    const placement: Record<string, FindingPlacement> = {};
    for (const c of clusters) {
      placement[c] = byCluster.get(c) ?? (objects.get(c)?.has(objectKey(f.resource)) === true ? 'passing' : 'unknown');
    }
    drift.push({
      fingerprint: fp,
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      resource: f.resource,
      path: f.location.path,
      message: f.message,
      placement,
    });
  }
  drift.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.checkId, b.checkId) ||
      compareText(objectKey(a.resource), objectKey(b.resource)) ||
      compareText(a.path, b.path),
  );

  const driftSeverities = emptySeverityCounts();
  for (const d of drift) driftSeverities[d.severity]++;
  const perCluster = new Map(data.map((d) => [d.cluster, checkCounts(d.views)]));
  const checks = new Map<string, { checkId: string; title: string; area: string; severity: Severity; open: Record<string, number> }>();
  for (const [cluster, counts] of perCluster) {
    for (const c of counts) {
      let entry = checks.get(c.checkId);
      if (entry === undefined) {
        entry = {
          checkId: c.checkId,
          title: c.title,
          area: c.area,
          severity: c.severity,
          open: Object.fromEntries(clusters.map((n) => [n, 0])),
        };
        checks.set(c.checkId, entry);
      }
      entry.open[cluster] = c.findings;
      if (severityRank(c.severity) > severityRank(entry.severity)) entry.severity = c.severity;
    }
  }
  const checkRows: CheckComparisonJson[] = [...checks.values()].map((c) => ({
    ...c,
    differs: new Set(Object.values(c.open)).size > 1,
  }));
  checkRows.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) || Number(b.differs) - Number(a.differs) || compareText(a.checkId, b.checkId),
  );
  return {
    generatedAt: options.now.toISOString(),
    since: options.since,
    clusters,
    summaries: data.map((d) => summarizeCluster(d)),
    checks: checkRows,
    common,
    drift: { total: drift.length, bySeverity: driftSeverities, findings: drift.slice(0, options.limit ?? 500) },
  };
}

/**
 * The start of a report window: a duration back from now (`24h`, `7d`, `90m`) or an ISO 8601 time.
 * Undefined when the text is neither.
 */
export function parseSince(text: string, now: Date): string | undefined {
  const trimmed = text.trim();
  const ms = parseDuration(trimmed);
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Every named cluster's summary line. */
export async function fleetOf(store: Store, clusters: readonly string[], since: string, now: Date): Promise<FleetJson> {
  const [data, alerts] = await Promise.all([
    Promise.all(clusters.map((c) => loadClusterData(store, c, since, now))),
    store.alerts({ since, limit: 1_000_000 }),
  ]);
  return {
    generatedAt: now.toISOString(),
    since,
    clusters: data.map((d) => summarizeCluster(d)),
    alertsWithoutCluster: alerts.filter((a) => a.alert.cluster === undefined).length,
  };
}

/** One cluster: its summary, its open findings (most severe first) and its alerts in the window (newest first). */
export async function clusterDetailOf(
  store: Store,
  cluster: string,
  options: { since: string; now: Date; limit?: number },
): Promise<ClusterDetailJson> {
  const data = await loadClusterData(store, cluster, options.since, options.now);
  const limit = options.limit ?? 50;
  const page = findingsPage(data.views, { status: ['open'], limit });
  return {
    generatedAt: options.now.toISOString(),
    since: options.since,
    summary: summarizeCluster(data, 10),
    findings: { total: page.total, shown: page.findings },
    alerts: {
      total: data.alerts.length,
      shown: [...data.alerts]
        .reverse()
        .slice(0, limit)
        .map((a) => alertJson(a.alert, a.recordedAt)),
    },
  };
}

/** Compare the named clusters (two or more). */
export async function comparisonOf(
  store: Store,
  clusters: readonly string[],
  options: { since: string; now: Date; limit?: number },
): Promise<ComparisonJson> {
  const data = await Promise.all(clusters.map((c) => loadClusterData(store, c, options.since, options.now)));
  return compareClusters(data, options);
}

/** An alert as the API and reports show it. */
export function alertJson(alert: Alert, recordedAt: string): AlertJson {
  return {
    id: alert.id,
    rule: alert.rule,
    source: alert.source,
    severity: alert.severity,
    title: alert.title,
    output: alert.output,
    time: alert.time,
    ...(alert.cluster === undefined ? {} : { cluster: alert.cluster }),
    ...(alert.user === undefined ? {} : { user: alert.user }),
    ...(alert.mitre === undefined ? {} : { mitre: alert.mitre }),
    ...(alert.resource === undefined ? {} : { resource: alert.resource }),
    ...(alert.auditIDs === undefined ? {} : { auditIDs: alert.auditIDs }),
    recordedAt,
  };
}
