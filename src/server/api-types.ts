/*
 * The JSON shapes of the dashboard's HTTP API (docs/dashboard.md). Standalone on purpose: the web
 * front end imports these types (type-only), and must not pull in server or Node.js code.
 */

export type SeverityName = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type SeverityCountsJson = Record<SeverityName, number>;

export interface ResourceJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface SuppressionJson {
  readonly kind: 'config' | 'annotation';
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
  readonly source: string;
}

/** open and resolved as the store tracks them; suppressed: open, but waived by an exception. */
export type FindingStatusJson = 'open' | 'resolved' | 'suppressed';

export interface FindingRowJson {
  readonly fingerprint: string;
  readonly checkId: string;
  readonly title: string;
  readonly severity: SeverityName;
  readonly area: string;
  readonly message: string;
  readonly resource: ResourceJson;
  /** kubectl-style field path, and the file and line when the object came from a file. */
  readonly location: { readonly path: string; readonly pointer: string; readonly file?: string; readonly line?: number };
  readonly container?: string;
  readonly status: FindingStatusJson;
  readonly suppression?: SuppressionJson;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly resolvedAt?: string;
  readonly reopenCount: number;
}

export interface FindingDetailJson extends FindingRowJson {
  readonly remediation: string;
  readonly description?: string;
  readonly frameworks: Readonly<Record<string, readonly string[]>>;
  /** The check's README (markdown). */
  readonly docs?: string;
  readonly events: readonly { readonly type: string; readonly at: string }[];
}

export interface FindingsPageJson {
  /** Findings matching the filters (before `limit`). */
  readonly total: number;
  readonly findings: readonly FindingRowJson[];
  /** Values to offer in the filters. */
  readonly facets: { readonly namespaces: readonly string[]; readonly checks: readonly string[]; readonly areas: readonly string[] };
}

export interface MetaJson {
  readonly tool: { readonly name: string; readonly version: string };
  readonly cluster: string | null;
  readonly clusters: readonly string[];
  /** `monitor`: served by `vigil monitor` (live); `store`: `vigil dashboard` over stored history. */
  readonly mode: 'monitor' | 'store';
  /** Objects are known (Network and Access views work). */
  readonly inventory: boolean;
  readonly ready: boolean;
  readonly areas: Readonly<Record<string, string>>;
  readonly frameworks: Readonly<Record<string, string>>;
}

export interface TrendPointJson {
  /** YYYY-MM-DD (UTC); counts are of findings open and unsuppressed at the end of that day. */
  readonly date: string;
  readonly bySeverity: SeverityCountsJson;
  readonly byArea: Readonly<Record<string, number>>;
}

export interface RiskEntryJson {
  readonly name: string;
  readonly resource?: ResourceJson;
  readonly risk: number;
  readonly findings: number;
  readonly bySeverity: SeverityCountsJson;
}

export interface OverviewJson {
  readonly cluster: string | null;
  readonly score: { readonly value: number; readonly objects: number; readonly affected: number };
  readonly open: { readonly total: number; readonly suppressed: number; readonly bySeverity: SeverityCountsJson };
  readonly byArea: Readonly<Record<string, number>>;
  readonly trend: readonly TrendPointJson[];
  readonly changes: {
    readonly since: string;
    readonly opened: readonly FindingRowJson[];
    readonly reopened: readonly FindingRowJson[];
    readonly resolved: readonly FindingRowJson[];
  };
  readonly topNamespaces: readonly RiskEntryJson[];
  readonly topObjects: readonly RiskEntryJson[];
  readonly lastRun?: {
    readonly kind: string;
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly status: string;
    readonly objects: number;
  };
}

export interface ControlJson {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly status: 'pass' | 'fail' | 'not-applicable' | 'manual';
  readonly reason?: string;
  readonly checks: readonly string[];
  readonly findings: number;
  readonly suppressed: number;
}

export interface FrameworkJson {
  readonly id: string;
  readonly name: string;
  /** The edition of the framework the control ids follow, and where it is published. */
  readonly version?: string;
  readonly url?: string;
  readonly summary: {
    readonly controls: number;
    readonly pass: number;
    readonly fail: number;
    readonly notApplicable: number;
    readonly manual: number;
    readonly score?: number;
  };
  readonly controls: readonly ControlJson[];
}

export interface ExceptionJson {
  readonly id: number;
  readonly check: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly container?: string;
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
  readonly createdAt: string;
  readonly createdBy?: string;
  readonly expired: boolean;
}

export interface NetworkWorkloadJson {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  /** Selected by a policy for this direction (default deny applies to what no rule allows). */
  readonly ingressIsolated: boolean;
  readonly egressIsolated: boolean;
  readonly outOfScope?: string;
}

export interface NetworkNamespaceJson {
  readonly name: string;
  readonly workloads: number;
  readonly ingressIsolated: number;
  readonly egressIsolated: number;
  readonly policies: number;
}

export interface NetworkFlowJson {
  readonly from: string;
  readonly to: string;
  /** `all`, or ports such as `TCP 80, 443`. */
  readonly ports: string;
}

export interface NetworkGraphJson {
  readonly available: boolean;
  readonly reason?: string;
  readonly namespaces: readonly NetworkNamespaceJson[];
  readonly workloads: readonly NetworkWorkloadJson[];
  /** Allowed flows between pods of different workloads, cut to `limit` (see `flowsTotal`). */
  readonly flows: readonly NetworkFlowJson[];
  readonly flowsTotal: number;
}

export interface SubjectRiskJson {
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityName;
  readonly check: string;
  readonly request: string;
  readonly via: string;
}

export interface AccessSubjectJson {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly system: boolean;
  readonly bindings: number;
  readonly risks: readonly SubjectRiskJson[];
}

export interface GrantLineJson {
  /** One line: `ClusterRoleBinding x → ClusterRole y rule 0 (get, list secrets)`. */
  readonly text: string;
  readonly subject?: string;
}

export interface CanJson {
  readonly allowed: boolean;
  readonly request: string;
  readonly user: { readonly name: string; readonly groups: readonly string[] };
  readonly grants: readonly GrantLineJson[];
}

export interface WhoCanJson {
  readonly request: string;
  readonly subjects: readonly { readonly subject: string; readonly kind: string; readonly grants: readonly GrantLineJson[] }[];
}

export interface AlertJson {
  readonly id: string;
  readonly rule: string;
  readonly source: string;
  readonly severity: SeverityName;
  readonly title: string;
  readonly output: string;
  readonly time: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly mitre?: readonly string[];
  readonly resource?: ResourceJson;
  /** Audit event ids behind the alert (search them in the audit events). */
  readonly auditIDs?: readonly string[];
  readonly recordedAt: string;
}

/** `/api/alerts`: the newest alerts first, of every source unless filtered. */
export interface AlertsPageJson {
  /** Alerts matching the filters (before `limit`). */
  readonly total: number;
  /** Sources present in the cluster's alerts (`vigil`, `falco`, `runtime`, `finding`), for the filter. */
  readonly sources: readonly string[];
  readonly alerts: readonly AlertJson[];
}

export interface AuditEventJson {
  readonly cluster: string;
  readonly auditID: string;
  readonly stage: string;
  readonly time: string;
  readonly user: string;
  readonly impersonatedUser?: string;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly requestURI: string;
  readonly code: number;
  readonly sourceIP?: string;
  readonly userAgent?: string;
}

/** Every error answer: what went wrong and what to do. Internals are never echoed. */
export interface ErrorJson {
  readonly error: string;
  readonly hint?: string;
}

// ---- fleet: `/api/fleet`, `/api/fleet/compare` and `vigil report` ----

export interface RunJson {
  readonly kind: 'sync' | 'resync' | 'scan';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: 'running' | 'ok' | 'failed';
  readonly objects: number;
  readonly findings: number;
  readonly error?: string;
}

export interface CheckCountJson {
  readonly checkId: string;
  readonly title: string;
  readonly area: string;
  /** The highest severity among the check's open findings. */
  readonly severity: SeverityName;
  readonly findings: number;
}

/** One cluster in a line: its last evaluation, posture and what happened since `since`. */
export interface ClusterSummaryJson {
  readonly cluster: string;
  /** The newest evaluation (it may still be running, or have failed). */
  readonly lastRun?: RunJson;
  /** Scored against the object count of the newest finished evaluation (0 objects when none finished). */
  readonly score: { readonly value: number; readonly objects: number; readonly affected: number };
  /** Open findings that no exception covers; suppressed ones are counted apart, never dropped. */
  readonly open: { readonly total: number; readonly suppressed: number; readonly bySeverity: SeverityCountsJson };
  readonly byArea: Readonly<Record<string, number>>;
  /** Finding transitions at or after `since` (each finding counted once per kind of transition). */
  readonly changes: { readonly opened: number; readonly reopened: number; readonly resolved: number };
  /** Alerts recorded at or after `since`. */
  readonly alerts: { readonly total: number; readonly bySeverity: SeverityCountsJson; readonly bySource: Readonly<Record<string, number>> };
  /** The checks with the most open findings, most severe first. */
  readonly topChecks: readonly CheckCountJson[];
}

export interface FleetJson {
  readonly generatedAt: string;
  /** Start of the window for changes and alerts (ISO 8601). */
  readonly since: string;
  readonly clusters: readonly ClusterSummaryJson[];
  /** Alerts in the window that name no cluster (recorded before clusters were named, or by a one-cluster process). */
  readonly alertsWithoutCluster: number;
}

/** Where a finding stands in one cluster. */
export type FindingPlacement = 'open' | 'suppressed' | 'resolved' | 'passing' | 'unknown';

/** A finding open in some compared clusters but not in others. */
export interface DriftFindingJson {
  readonly fingerprint: string;
  readonly checkId: string;
  readonly title: string;
  readonly severity: SeverityName;
  /** The object, without a cluster (the same identity in every cluster). */
  readonly resource: ResourceJson;
  readonly path: string;
  readonly message: string;
  /**
   * Per cluster: `open`; `suppressed` (an exception covers it there); `resolved` (it was open there
   * and was fixed); `passing` (the object is known there and never had this finding); `unknown`
   * (nothing is known of the object there: it may not be deployed).
   */
  readonly placement: Readonly<Record<string, FindingPlacement>>;
}

export interface CheckComparisonJson {
  readonly checkId: string;
  readonly title: string;
  readonly area: string;
  readonly severity: SeverityName;
  /** Open findings per cluster. */
  readonly open: Readonly<Record<string, number>>;
  /** The counts are not all the same. */
  readonly differs: boolean;
}

export interface ComparisonJson {
  readonly generatedAt: string;
  readonly since: string;
  readonly clusters: readonly string[];
  readonly summaries: readonly ClusterSummaryJson[];
  /** Every check open in at least one compared cluster, most severe and most different first. */
  readonly checks: readonly CheckComparisonJson[];
  /** Findings open in every compared cluster. */
  readonly common: number;
  /** Findings open in at least one compared cluster and not open in at least one other. */
  readonly drift: { readonly total: number; readonly bySeverity: SeverityCountsJson; readonly findings: readonly DriftFindingJson[] };
}

/** `vigil report --cluster NAME`: one cluster in full. */
export interface ClusterDetailJson {
  readonly generatedAt: string;
  readonly since: string;
  readonly summary: ClusterSummaryJson;
  /** Open, unsuppressed findings, most severe first: `total` of them, the first `shown`. */
  readonly findings: { readonly total: number; readonly shown: readonly FindingRowJson[] };
  /** Alerts recorded in the window, newest first. */
  readonly alerts: { readonly total: number; readonly shown: readonly AlertJson[] };
}
