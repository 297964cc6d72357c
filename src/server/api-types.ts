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
