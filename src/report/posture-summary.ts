import { AREAS, type Area } from '../core/area.js';
import type { Finding } from '../core/finding.js';
import { formatResourceRef, type ResourceRef } from '../core/resource-ref.js';
import { SEVERITIES, severityRank, type Severity } from '../core/severity.js';

/*
 * The numbers of an overview, shared by the dashboard and the HTML report: the posture score, counts
 * by severity and area, and the riskiest namespaces and workloads.
 */

/** How much one object's worst open finding costs the posture score. */
export const OBJECT_PENALTY: Readonly<Record<Severity, number>> = { critical: 1, high: 0.6, medium: 0.3, low: 0.1, info: 0 };

/** Risk points of one finding, for ranking namespaces and workloads. */
export const RISK_POINTS: Readonly<Record<Severity, number>> = { critical: 10, high: 5, medium: 2, low: 1, info: 0 };

export interface PostureScore {
  /** 0–100, one decimal: 100 means no object has a standing finding above info. */
  readonly value: number;
  readonly objects: number;
  /** Objects with at least one standing finding (above info). */
  readonly affected: number;
}

/**
 * The posture score: 100 × (1 − Σ penalty of each object's worst standing finding / objects). An
 * object with a critical finding costs a whole object, high 0.6, medium 0.3, low 0.1, info nothing,
 * so fixing the worst problem on many objects moves the score most. Suppressed findings cost nothing.
 */
export function postureScore(standing: readonly Finding[], objects: number): PostureScore {
  const worst = new Map<string, Severity>();
  for (const f of standing) {
    const key = objectKey(f.resource);
    const before = worst.get(key);
    if (before === undefined || severityRank(f.severity) > severityRank(before)) worst.set(key, f.severity);
  }
  let penalty = 0;
  let affected = 0;
  for (const severity of worst.values()) {
    penalty += OBJECT_PENALTY[severity];
    if (severity !== 'info') affected++;
  }
  // Findings can name objects the inventory count does not include (a missing Namespace object):
  // never let the score go below zero.
  const total = Math.max(objects, worst.size);
  const value = total === 0 ? 100 : Math.round((1 - penalty / total) * 1000) / 10;
  return { value, objects: total, affected };
}

function objectKey(ref: ResourceRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function emptySeverityCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts = emptySeverityCounts();
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function areaCounts(findings: readonly Finding[]): Partial<Record<Area, number>> {
  const counts: Partial<Record<Area, number>> = {};
  for (const f of findings) counts[f.area] = (counts[f.area] ?? 0) + 1;
  return Object.fromEntries((Object.keys(AREAS) as Area[]).filter((a) => counts[a] !== undefined).map((a) => [a, counts[a]]));
}

export interface RiskEntry {
  /** A namespace name, or `Kind namespace/name` of a workload. */
  readonly name: string;
  readonly resource?: ResourceRef;
  readonly risk: number;
  readonly findings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
}

function rank(groups: Map<string, { resource?: ResourceRef; findings: Finding[] }>, limit: number): RiskEntry[] {
  return [...groups.entries()]
    .map(([name, group]) => ({
      name,
      ...(group.resource === undefined ? {} : { resource: group.resource }),
      risk: group.findings.reduce((sum, f) => sum + RISK_POINTS[f.severity], 0),
      findings: group.findings.length,
      bySeverity: severityCounts(group.findings),
    }))
    .filter((e) => e.risk > 0)
    .sort((a, b) => b.risk - a.risk || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

/** Namespaces ranked by the risk points of their standing findings. Cluster-scoped objects are left out. */
export function riskiestNamespaces(standing: readonly Finding[], limit = 5): RiskEntry[] {
  const groups = new Map<string, { findings: Finding[] }>();
  for (const f of standing) {
    const ns = f.resource.namespace ?? (f.resource.kind === 'Namespace' ? f.resource.name : undefined);
    if (ns === undefined) continue;
    const group = groups.get(ns) ?? { findings: [] };
    group.findings.push(f);
    groups.set(ns, group);
  }
  return rank(groups, limit);
}

/** Objects (workloads, services, roles…) ranked by the risk points of their standing findings. */
export function riskiestObjects(standing: readonly Finding[], limit = 5): RiskEntry[] {
  const groups = new Map<string, { resource: ResourceRef; findings: Finding[] }>();
  for (const f of standing) {
    const name = formatResourceRef(f.resource);
    const group = groups.get(name) ?? { resource: f.resource, findings: [] };
    group.findings.push(f);
    groups.set(name, group);
  }
  return rank(groups, limit);
}
