import type { Finding } from '../core/finding.js';
import { SEVERITIES, isSeverity, type Severity } from '../core/severity.js';
import {
  areaCounts,
  emptySeverityCounts,
  postureScore,
  riskiestNamespaces,
  riskiestObjects,
  severityCounts,
} from '../report/posture-summary.js';
import type { FindingEvent, ScanRun, StoredException, StoredFinding } from '../store/store.js';
import type { FindingRowJson, FindingStatusJson, FindingsPageJson, OverviewJson, TrendPointJson } from './api-types.js';
import { storedSuppression } from './stored-exceptions.js';

/*
 * Findings as the dashboard shows them: the store's findings with the store's exceptions applied at
 * read time (so a suppression shows at once, also in `vigil dashboard` where nothing re-evaluates),
 * filtered, and summed up for the overview.
 */

/** A stored finding with its effective suppression and status. */
export interface ViewFinding {
  readonly stored: StoredFinding;
  readonly finding: Finding;
  readonly status: FindingStatusJson;
}

/** Apply stored exceptions (unless the finding is already suppressed by configuration or an annotation). */
export function viewFindings(stored: readonly StoredFinding[], exceptions: readonly StoredException[], today: string): ViewFinding[] {
  return stored.map((s) => {
    const suppression = s.finding.suppression ?? storedSuppression(exceptions, s.finding, today);
    const finding: Finding = suppression === undefined || suppression === s.finding.suppression ? s.finding : { ...s.finding, suppression };
    const status: FindingStatusJson = s.status === 'resolved' ? 'resolved' : suppression === undefined ? 'open' : 'suppressed';
    return { stored: s, finding, status };
  });
}

export function findingRow(view: ViewFinding): FindingRowJson {
  const { finding: f, stored } = view;
  return {
    fingerprint: f.fingerprint,
    checkId: f.checkId,
    title: f.title,
    severity: f.severity,
    area: f.area,
    message: f.message,
    resource: f.resource,
    location: {
      path: f.location.path,
      pointer: f.location.pointer,
      ...(f.location.file === undefined ? {} : { file: f.location.file }),
      ...(f.location.line === undefined ? {} : { line: f.location.line }),
    },
    ...(f.container === undefined ? {} : { container: f.container }),
    status: view.status,
    ...(f.suppression === undefined ? {} : { suppression: f.suppression }),
    firstSeen: stored.firstSeen,
    lastSeen: stored.lastSeen,
    ...(stored.resolvedAt === undefined ? {} : { resolvedAt: stored.resolvedAt }),
    reopenCount: stored.reopenCount,
  };
}

export interface FindingFilter {
  /** `all`, or a list of statuses (default: open). */
  readonly status?: readonly FindingStatusJson[] | 'all';
  readonly severity?: readonly Severity[];
  readonly area?: readonly string[];
  readonly namespace?: readonly string[];
  readonly check?: readonly string[];
  /** Words that must all appear in the title, message, check id, resource or field path (case-insensitive). */
  readonly q?: string;
  readonly limit?: number;
}

function haystack(f: Finding): string {
  return [f.checkId, f.title, f.message, f.resource.kind, f.resource.namespace ?? '', f.resource.name, f.location.path, f.container ?? '']
    .join('\n')
    .toLowerCase();
}

/** Filter, sort (most severe first, then newest) and cut the findings; facets come from the unfiltered set. */
export function findingsPage(views: readonly ViewFinding[], filter: FindingFilter): FindingsPageJson {
  const statuses = filter.status === 'all' ? undefined : new Set(filter.status ?? ['open']);
  const words = (filter.q ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const selected = views.filter((v) => {
    const f = v.finding;
    if (statuses !== undefined && !statuses.has(v.status)) return false;
    if (filter.severity !== undefined && filter.severity.length > 0 && !filter.severity.includes(f.severity)) return false;
    if (filter.area !== undefined && filter.area.length > 0 && !filter.area.includes(f.area)) return false;
    if (filter.namespace !== undefined && filter.namespace.length > 0 && !filter.namespace.includes(f.resource.namespace ?? ''))
      return false;
    if (filter.check !== undefined && filter.check.length > 0 && !filter.check.includes(f.checkId)) return false;
    if (words.length > 0) {
      const text = haystack(f);
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  selected.sort(
    (a, b) =>
      rank(a.finding.severity) - rank(b.finding.severity) ||
      (a.stored.lastSeen < b.stored.lastSeen ? 1 : a.stored.lastSeen > b.stored.lastSeen ? -1 : 0) ||
      (a.finding.fingerprint < b.finding.fingerprint ? -1 : 1),
  );
  const sortedSet = (values: Iterable<string>): string[] => [...new Set(values)].sort();
  return {
    total: selected.length,
    findings: selected.slice(0, filter.limit ?? 500).map(findingRow),
    facets: {
      namespaces: sortedSet(views.map((v) => v.finding.resource.namespace ?? '')),
      checks: sortedSet(views.map((v) => v.finding.checkId)),
      areas: sortedSet(views.map((v) => v.finding.area)),
    },
  };
}

/** Parse a comma-separated list of severities; unknown names are an error naming them. */
export function parseSeverities(value: string | undefined): Severity[] | { error: string } {
  const list = splitList(value);
  const bad = list.filter((s) => !isSeverity(s));
  if (bad.length > 0) return { error: `unknown severity ${bad.map((b) => `"${b}"`).join(', ')} (expected ${SEVERITIES.join(', ')})` };
  return list as Severity[];
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const DAY_MS = 86_400_000;

/**
 * Open, unsuppressed findings at the end of each of the last `days` days (today: now), replayed
 * from the store's finding events, so a finding that was resolved and reopened is counted only
 * while it was open. Suppression is today's (exceptions have no history).
 */
export function trendOf(views: readonly ViewFinding[], events: readonly FindingEvent[], now: Date, days: number): TrendPointJson[] {
  const byFingerprint = new Map(views.map((v) => [v.finding.fingerprint, v]));
  const ordered = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const open = new Set<string>();
  const points: TrendPointJson[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let next = 0;
  for (let i = days - 1; i >= 0; i--) {
    const dayStart = today - i * DAY_MS;
    const end = i === 0 ? now.getTime() : dayStart + DAY_MS;
    const endIso = new Date(end).toISOString();
    while (next < ordered.length && (ordered[next] as FindingEvent).at <= endIso) {
      const event = ordered[next] as FindingEvent;
      if (event.type === 'resolved') open.delete(event.fingerprint);
      else open.add(event.fingerprint);
      next++;
    }
    const standing: Finding[] = [];
    for (const fp of open) {
      const view = byFingerprint.get(fp);
      if (view !== undefined && view.finding.suppression === undefined) standing.push(view.finding);
    }
    points.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      bySeverity: severityCounts(standing),
      byArea: areaCounts(standing),
    });
  }
  return points;
}

export interface OverviewInput {
  readonly cluster: string | null;
  readonly views: readonly ViewFinding[];
  /** Every finding event of the cluster (for the trend and what changed). */
  readonly events: readonly FindingEvent[];
  readonly lastRun?: ScanRun;
  /** Objects judged (the inventory's size, else the last run's count). */
  readonly objects: number;
  readonly now: Date;
  readonly days: number;
}

/** The Overview: posture score, counts, trend, what changed in the last 24 hours, riskiest namespaces and objects. */
export function overviewOf(input: OverviewInput): OverviewJson {
  const standing = input.views.filter((v) => v.status === 'open').map((v) => v.finding);
  const suppressed = input.views.filter((v) => v.status === 'suppressed').length;
  const since = new Date(input.now.getTime() - DAY_MS).toISOString();
  const byFingerprint = new Map(input.views.map((v) => [v.finding.fingerprint, v]));
  const changed = (type: FindingEvent['type']): FindingRowJson[] => {
    const seen = new Set<string>();
    const rows: FindingRowJson[] = [];
    for (const e of input.events) {
      if (e.type !== type || e.at < since || seen.has(e.fingerprint)) continue;
      seen.add(e.fingerprint);
      const view = byFingerprint.get(e.fingerprint);
      if (view !== undefined) rows.push(findingRow(view));
    }
    return rows;
  };
  const run = input.lastRun;
  return {
    cluster: input.cluster,
    score: postureScore(standing, input.objects),
    open: { total: standing.length, suppressed, bySeverity: standing.length === 0 ? emptySeverityCounts() : severityCounts(standing) },
    byArea: areaCounts(standing),
    trend: trendOf(input.views, input.events, input.now, input.days),
    changes: { since, opened: changed('opened'), reopened: changed('reopened'), resolved: changed('resolved') },
    topNamespaces: riskiestNamespaces(standing, 5),
    topObjects: riskiestObjects(standing, 5),
    ...(run === undefined
      ? {}
      : {
          lastRun: {
            kind: run.kind,
            startedAt: run.startedAt,
            ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
            status: run.status,
            objects: run.objects,
          },
        }),
  };
}
