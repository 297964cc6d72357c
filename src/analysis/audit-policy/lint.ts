import { reach, type RequestShape } from './reach.js';
import { levelAtLeast, type AuditPolicy, type GroupResources, type PolicyRule } from './types.js';

/** One lint finding on an audit policy. */
export interface PolicyLintFinding {
  readonly id: PolicyLintId;
  readonly severity: 'high' | 'medium' | 'low' | 'info';
  /** The rule it is about (0-based), when it is about one. */
  readonly rule?: number;
  readonly message: string;
  readonly hint: string;
}

export type PolicyLintId =
  | 'sensitive-bodies-logged'
  | 'security-request-not-logged'
  | 'unreachable-rule'
  | 'no-catch-all'
  | 'request-received-not-omitted'
  | 'literal-wildcard'
  | 'response-started-omitted'
  | 'managed-fields-logged';

const shape = (verb: string, resource: string, subresource = '', apiGroup = ''): RequestShape => ({
  verb,
  apiGroup,
  resource,
  subresource,
  isResourceRequest: true,
  path: '',
});

const RBAC = 'rbac.authorization.k8s.io';

// Requests whose bodies hold secret values (Kubernetes "Auditing" page: log Secrets, ConfigMaps and
// TokenReviews at Metadata level, since their request and response bodies carry the data).
const SENSITIVE: readonly { what: string; shapes: RequestShape[] }[] = [
  { what: 'Secrets', shapes: ['get', 'list', 'watch', 'create', 'update', 'patch'].map((v) => shape(v, 'secrets')) },
  { what: 'ConfigMaps', shapes: ['get', 'list', 'watch', 'create', 'update', 'patch'].map((v) => shape(v, 'configmaps')) },
  { what: 'TokenReviews', shapes: [shape('create', 'tokenreviews', '', 'authentication.k8s.io')] },
  { what: 'TokenRequests (serviceaccounts/token)', shapes: [shape('create', 'serviceaccounts', 'token')] },
];

// Requests a security team needs in the log at all (the detections that look for them go blind).
const SECURITY: readonly { what: string; shapes: RequestShape[] }[] = [
  { what: 'pods/exec', shapes: [shape('create', 'pods', 'exec'), shape('get', 'pods', 'exec')] },
  { what: 'pods/attach', shapes: [shape('create', 'pods', 'attach')] },
  { what: 'pods/portforward', shapes: [shape('create', 'pods', 'portforward')] },
  {
    what: 'RBAC changes',
    shapes: ['create', 'update', 'patch', 'delete'].flatMap((v) =>
      ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].map((r) => shape(v, r, '', RBAC)),
    ),
  },
  { what: 'Secret access', shapes: ['get', 'list', 'watch'].map((v) => shape(v, 'secrets')) },
  { what: 'serviceaccounts/token', shapes: [shape('create', 'serviceaccounts', 'token')] },
  { what: 'nodes/proxy', shapes: [shape('get', 'nodes', 'proxy'), shape('create', 'nodes', 'proxy')] },
];

function isCatchAll(rule: PolicyRule): boolean {
  return (
    rule.users.length === 0 &&
    rule.userGroups.length === 0 &&
    rule.verbs.length === 0 &&
    rule.resources.length === 0 &&
    rule.namespaces.length === 0 &&
    rule.nonResourceURLs.length === 0
  );
}

function subset(inner: readonly string[], outer: readonly string[]): boolean {
  // An empty outer list matches anything; an empty inner list (anything) is only inside an empty outer.
  if (outer.length === 0) return true;
  return inner.length > 0 && inner.every((x) => outer.includes(x));
}

function patternCovers(outer: string, inner: string): boolean {
  if (outer === '*' || outer === inner) return true;
  const [res, sub] = inner.includes('/') ? [inner.slice(0, inner.indexOf('/')), inner.slice(inner.indexOf('/') + 1)] : [inner, ''];
  if (outer.endsWith('/*')) return res !== '*' && outer.slice(0, -2) === res;
  if (outer.startsWith('*/')) return sub !== '' && sub !== '*' && outer.slice(2) === sub;
  return false;
}

function groupResourcesCover(outer: GroupResources, inner: GroupResources): boolean {
  if (outer.group !== '*' && outer.group !== inner.group) return false;
  if (!subset(inner.resourceNames, outer.resourceNames)) return false;
  if (outer.resources.length === 0) return true;
  return inner.resources.length > 0 && inner.resources.every((r) => outer.resources.some((o) => patternCovers(o, r)));
}

function urlCovers(outer: string, inner: string): boolean {
  if (outer === '*' || outer === inner) return true;
  if (!outer.endsWith('*')) return false;
  const prefix = outer.replace(/\*+$/, '');
  return inner !== '*' && inner.replace(/\*+$/, '').startsWith(prefix);
}

/** True when every request `later` could match is matched by `earlier` (so `later` never decides). */
export function ruleCovers(earlier: PolicyRule, later: PolicyRule): boolean {
  if (!subset(later.users, earlier.users)) return false;
  if (!subset(later.userGroups, earlier.userGroups)) return false;
  if (!subset(later.verbs, earlier.verbs)) return false;
  const earlierResource = earlier.resources.length > 0 || earlier.namespaces.length > 0;
  const laterResource = later.resources.length > 0 || later.namespaces.length > 0;
  if (earlierResource) {
    if (!laterResource) return false;
    if (!subset(later.namespaces, earlier.namespaces)) return false;
    if (earlier.resources.length === 0) return true;
    return (
      later.resources.length > 0 && later.resources.every((inner) => earlier.resources.some((outer) => groupResourcesCover(outer, inner)))
    );
  }
  if (earlier.nonResourceURLs.length > 0) {
    if (later.nonResourceURLs.length === 0) return false;
    return later.nonResourceURLs.every((inner) => earlier.nonResourceURLs.some((outer) => urlCovers(outer, inner)));
  }
  return true;
}

/**
 * Lint an audit policy for what it records and what it misses: secret values in the log, security
 * requests not logged, rules no request can reach, no catch-all, RequestReceived events doubling the
 * volume, and literal "*" where no wildcard exists.
 */
export function lintPolicy(policy: AuditPolicy): PolicyLintFinding[] {
  const findings: PolicyLintFinding[] = [];
  const rules = policy.rules;

  for (const { what, shapes } of SENSITIVE) {
    const offenders = new Set<number>();
    for (const s of shapes)
      for (const step of reach(policy, s)) if (step.rule !== undefined && levelAtLeast(step.level, 'Request')) offenders.add(step.rule);
    for (const i of offenders) {
      const rule = rules[i] as PolicyRule;
      findings.push({
        id: 'sensitive-bodies-logged',
        severity: 'high',
        rule: i,
        message: `rules[${i}] logs ${what} at ${rule.level}: their values land in the audit log`,
        hint: `Add a rule before it that logs ${what.split(' ')[0]} at Metadata (the Kubernetes "Auditing" page recommends this).`,
      });
    }
  }

  for (const { what, shapes } of SECURITY) {
    const never: string[] = [];
    const partly: string[] = [];
    for (const s of shapes) {
      const steps = reach(policy, s);
      const last = steps.at(-1);
      if (last?.level === 'None') {
        const label = `${s.verb} ${s.subresource === '' ? s.resource : `${s.resource}/${s.subresource}`}`;
        if (steps.length === 1) never.push(`${label} (${last.rule === undefined ? 'no rule matches' : `rules[${last.rule}]`})`);
        else
          partly.push(
            `${label} (${last.rule === undefined ? 'no rule matches' : `rules[${last.rule}]`} for requests the earlier rules do not take)`,
          );
      }
      for (const step of steps.slice(0, -1))
        if (step.level === 'None' && step.rule !== undefined)
          partly.push(`${s.verb} ${s.resource} for ${step.only.join(' and ')} (rules[${step.rule}])`);
    }
    const list = (items: string[]): string => {
      const unique = [...new Set(items)];
      return unique.length > 4 ? `${unique.slice(0, 4).join('; ')}; and ${unique.length - 4} more` : unique.join('; ');
    };
    if (never.length > 0)
      findings.push({
        id: 'security-request-not-logged',
        severity: 'high',
        message: `${what} are not logged at all: ${list(never)}`,
        hint: `Log ${what} at Metadata or above before any rule that sets them to None; detection of them is blind otherwise.`,
      });
    if (partly.length > 0)
      findings.push({
        id: 'security-request-not-logged',
        severity: 'medium',
        message: `${what} are not logged for some requests: ${list(partly)}`,
        hint: 'Make sure the identities and namespaces exempted are the ones you mean to trust.',
      });
  }

  for (let j = 0; j < rules.length; j++) {
    for (let i = 0; i < j; i++) {
      if (ruleCovers(rules[i] as PolicyRule, rules[j] as PolicyRule)) {
        findings.push({
          id: 'unreachable-rule',
          severity: 'medium',
          rule: j,
          message: `rules[${j}] can never match: rules[${i}] matches every request it would, and the first matching rule decides`,
          hint: 'Move the narrower rule above the broader one, or delete it.',
        });
        break;
      }
    }
  }

  if (!rules.some(isCatchAll))
    findings.push({
      id: 'no-catch-all',
      severity: 'low',
      message: 'no rule matches every request: requests no rule names are silently not logged (level None)',
      hint: 'End the policy with a catch-all such as `- level: Metadata`.',
    });

  if (!policy.omitStages.includes('RequestReceived')) {
    const logging = rules.flatMap((r, i) => (r.level !== 'None' && !r.omitStages.includes('RequestReceived') ? [i] : []));
    if (logging.length > 0)
      findings.push({
        id: 'request-received-not-omitted',
        severity: 'low',
        message: `RequestReceived is not omitted (rules ${logging.map((i) => `[${i}]`).join(', ')}): every request is logged twice, doubling the volume`,
        hint: 'Add `omitStages: [RequestReceived]` at the policy level; ResponseComplete carries everything it does and more.',
      });
  }

  if (policy.omitStages.includes('ResponseStarted'))
    findings.push({
      id: 'response-started-omitted',
      severity: 'info',
      message: 'ResponseStarted is omitted: exec, attach and port-forward sessions appear only when they end',
      hint: 'Keep ResponseStarted for pods/exec, pods/attach and pods/portforward if alerts must come when a session starts.',
    });

  rules.forEach((rule, i) => {
    for (const [field, values] of [
      ['users', rule.users],
      ['userGroups', rule.userGroups],
      ['verbs', rule.verbs],
      ['namespaces', rule.namespaces],
    ] as const) {
      if (values.includes('*'))
        findings.push({
          id: 'literal-wildcard',
          severity: 'medium',
          rule: i,
          message: `rules[${i}] lists "*" in ${field}, which is not a wildcard there: it matches only the literal value "*"`,
          hint: `Leave ${field} out to match any.`,
        });
    }
  });

  const bodies = rules.some((r) => levelAtLeast(r.level, 'Request') && r.omitManagedFields !== true);
  if (bodies && !policy.omitManagedFields)
    findings.push({
      id: 'managed-fields-logged',
      severity: 'info',
      message: 'rules log request or response bodies with metadata.managedFields, which is often larger than the object',
      hint: 'Set `omitManagedFields: true` at the policy level (Kubernetes 1.23+).',
    });

  return findings;
}
