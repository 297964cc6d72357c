import type { PolicyRule } from './policy-rule.js';
import type { BindingRecord, BindingSubject, RoleRecord } from './rbac-objects.js';
import type { Grant, SubjectRef, UnresolvedBinding } from './rbac-index.js';
import { subjectRefOf } from './rbac-index.js';

/*
 * Plain-data and one-line text forms of RBAC answers, for JSON output and messages. Documented in
 * docs/rbac.md; field names are part of the CLI's JSON contract.
 */

export interface ObjectJson {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface SourceJson {
  readonly file: string;
  readonly line?: number;
}

export interface RuleJson {
  /** Position in the role's effective rules. */
  readonly index: number;
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export type GrantJson =
  | {
      readonly via: 'rbac';
      readonly binding: ObjectJson & { readonly source?: SourceJson };
      readonly subject?: ObjectJson;
      readonly role: ObjectJson & { readonly builtin?: true; readonly source?: SourceJson };
      readonly rule: RuleJson;
      /** For a rule of an aggregated ClusterRole: the ClusterRole (and rule index) it was aggregated from. */
      readonly aggregatedFrom?: ObjectJson & { readonly ruleIndex: number };
    }
  | { readonly via: 'privileged-group'; readonly group: string };

function sourceOf(record: BindingRecord | RoleRecord): SourceJson | undefined {
  const source = record.entry?.source;
  if (source === undefined) return undefined;
  return { file: source.file, ...(source.line === undefined ? {} : { line: source.line }) };
}

export function objectJson(record: { kind: string; name: string; namespace?: string }): ObjectJson {
  return { kind: record.kind, name: record.name, ...(record.namespace === undefined ? {} : { namespace: record.namespace }) };
}

export function subjectJson(subject: BindingSubject, binding: BindingRecord): ObjectJson {
  return objectJson(subjectRefOf(subject, binding) ?? { kind: subject.kind, name: subject.name });
}

export function ruleJson(rule: PolicyRule, index: number): RuleJson {
  return {
    index,
    verbs: rule.verbs,
    apiGroups: rule.apiGroups,
    resources: rule.resources,
    resourceNames: rule.resourceNames,
    nonResourceURLs: rule.nonResourceURLs,
  };
}

export function grantJson(grant: Grant): GrantJson {
  if (grant.via === 'privileged-group') return { via: 'privileged-group', group: grant.group };
  const bindingSource = sourceOf(grant.binding);
  const roleSource = sourceOf(grant.role);
  const aggregated = grant.rule.source !== grant.role;
  return {
    via: 'rbac',
    binding: { ...objectJson(grant.binding), ...(bindingSource === undefined ? {} : { source: bindingSource }) },
    ...(grant.subject === undefined ? {} : { subject: subjectJson(grant.subject, grant.binding) }),
    role: {
      ...objectJson(grant.role),
      ...(grant.role.builtin ? { builtin: true as const } : {}),
      ...(roleSource === undefined ? {} : { source: roleSource }),
    },
    rule: ruleJson(grant.rule.rule, grant.rule.index),
    ...(aggregated ? { aggregatedFrom: { ...objectJson(grant.rule.source), ruleIndex: grant.rule.sourceIndex } } : {}),
  };
}

export function unresolvedJson(entry: UnresolvedBinding): { binding: ObjectJson; subject?: ObjectJson; reason: string } {
  return {
    binding: objectJson(entry.binding),
    ...(entry.subject === undefined ? {} : { subject: subjectJson(entry.subject, entry.binding) }),
    reason: entry.reason,
  };
}

/** `ClusterRoleBinding ops`, `RoleBinding shop/deployers`, `ClusterRole view`, `Role shop/reader`. */
export function describeObject(record: { kind: string; name: string; namespace?: string }): string {
  return record.namespace === undefined ? `${record.kind} ${record.name}` : `${record.kind} ${record.namespace}/${record.name}`;
}

/** `User jane`, `Group dev`, `ServiceAccount shop/api`. */
export function describeSubject(subject: SubjectRef): string {
  return describeObject(subject);
}

/** `verbs [get list] on secrets (apiGroups [""])` — a short form of a rule for messages. */
export function describeRule(rule: PolicyRule): string {
  const list = (values: readonly string[]): string => `[${values.map((v) => (v === '' ? '""' : v)).join(' ')}]`;
  const parts = [`verbs ${list(rule.verbs)}`];
  if (rule.nonResourceURLs.length > 0) parts.push(`nonResourceURLs ${list(rule.nonResourceURLs)}`);
  if (rule.resources.length > 0 || rule.apiGroups.length > 0)
    parts.push(`resources ${list(rule.resources)} in apiGroups ${list(rule.apiGroups)}`);
  if (rule.resourceNames.length > 0) parts.push(`resourceNames ${list(rule.resourceNames)}`);
  return parts.join(', ');
}

/** `ClusterRoleBinding ops → ClusterRole admin rules[3] (from ClusterRole system:aggregate-to-edit rules[1])`. */
export function describeGrant(grant: Grant, options: { readonly withSubject?: boolean } = {}): string {
  if (grant.via === 'privileged-group') return `member of ${grant.group} (bypasses RBAC)`;
  const from =
    grant.rule.source === grant.role ? '' : ` (aggregated from ${describeObject(grant.rule.source)} rules[${grant.rule.sourceIndex}])`;
  const who =
    grant.subject === undefined || options.withSubject === false
      ? ''
      : ` for ${describeSubject(subjectRefOf(grant.subject, grant.binding) ?? grant.subject)}`;
  return `${describeObject(grant.binding)}${who} → ${describeObject(grant.role)}${grant.role.builtin ? ' (built-in)' : ''} rules[${grant.rule.index}]${from}: ${describeRule(grant.rule.rule)}`;
}
