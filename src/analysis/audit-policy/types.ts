/**
 * The audit.k8s.io/v1 Policy model and the request attributes it is evaluated against, as the API
 * server's audit policy checker sees them (k8s.io/apiserver pkg/apis/audit/v1/types.go and
 * pkg/audit/policy/checker.go). Lists are never absent here: "not set" is an empty list, which is
 * exactly how the checker treats a nil slice.
 */

/** Audit levels, in increasing order of what they record. */
export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** Audit stages, in the order a request passes through them. */
export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

export function isAuditLevel(value: unknown): value is AuditLevel {
  return typeof value === 'string' && (AUDIT_LEVELS as readonly string[]).includes(value);
}

export function isAuditStage(value: unknown): value is AuditStage {
  return typeof value === 'string' && (AUDIT_STAGES as readonly string[]).includes(value);
}

/** Numeric order of a level: None 0 < Metadata 1 < Request 2 < RequestResponse 3. */
export function levelRank(level: AuditLevel): number {
  return AUDIT_LEVELS.indexOf(level);
}

/** True when `level` records at least what `required` records. */
export function levelAtLeast(level: AuditLevel, required: AuditLevel): boolean {
  return levelRank(level) >= levelRank(required);
}

/** `GroupResources`: an API group and resources in it (`""` is the core group, `*` any group). */
export interface GroupResources {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

/** One `PolicyRule`. Every list that is non-empty must match (logical AND). */
export interface PolicyRule {
  readonly level: AuditLevel;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly GroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly omitStages: readonly AuditStage[];
  /** Unset means "use the policy's value". */
  readonly omitManagedFields?: boolean;
}

/** An audit.k8s.io/v1 `Policy`. */
export interface AuditPolicy {
  readonly rules: readonly PolicyRule[];
  readonly omitStages: readonly AuditStage[];
  readonly omitManagedFields: boolean;
}

/** The authenticated user of a request (user info), as the audit filter sees it: before impersonation. */
export interface RequestUser {
  readonly name: string;
  readonly groups: readonly string[];
}

/**
 * A request's authorizer attributes. `user` is absent when the request carried no user at all
 * (authentication failed): rules with `users` or `userGroups` never match it.
 */
export interface RequestAttributes {
  readonly user?: RequestUser;
  readonly verb: string;
  /** `""` for cluster-scoped resources and non-resource requests. */
  readonly namespace: string;
  /** `""` is the core group. */
  readonly apiGroup: string;
  readonly apiVersion?: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** URL path without the query string. */
  readonly path: string;
  readonly isResourceRequest: boolean;
}

/** What the policy decides for one request (`RequestAuditConfig`), and which rule decided it. */
export interface AuditDecision {
  readonly level: AuditLevel;
  /** Stages for which no event is written, in stage order. */
  readonly omitStages: readonly AuditStage[];
  readonly omitManagedFields: boolean;
  /** 0-based index of the deciding rule in `rules`; undefined when no rule matched (level None). */
  readonly rule: number | undefined;
}
