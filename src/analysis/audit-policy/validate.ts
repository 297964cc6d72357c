import type { DecodedPolicy, DecodedRule, PolicyProblem } from './decode.js';
import { isAuditLevel, isAuditStage, type AuditPolicy, type AuditStage, type PolicyRule } from './types.js';

// A lower-case RFC 1123 subdomain (k8s.io/apimachinery validation.IsDNS1123Subdomain).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Validate a decoded policy exactly as `ValidatePolicy` does (k8s.io/apiserver
 * pkg/apis/audit/validation/validation.go). A policy with no rules is valid here; loading a policy
 * file additionally requires a rule (see `parsePolicy`).
 */
export function validatePolicy(policy: DecodedPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  validateStages(policy.omitStages, '/omitStages', problems);
  policy.rules.forEach((rule, i) => {
    validateRule(rule, `/rules/${i}`, problems);
  });
  return problems;
}

function validateRule(rule: DecodedRule, pointer: string, problems: PolicyProblem[]): void {
  if (rule.level === '') problems.push({ level: 'error', pointer: `${pointer}/level`, message: 'level is required' });
  else if (!isAuditLevel(rule.level))
    problems.push({
      level: 'error',
      pointer: `${pointer}/level`,
      message: `level "${rule.level}" is not supported: use None, Metadata, Request or RequestResponse`,
    });
  rule.nonResourceURLs.forEach((url, i) => {
    if (url === '*') return;
    const at = `${pointer}/nonResourceURLs/${i}`;
    if (!url.startsWith('/')) {
      problems.push({ level: 'error', pointer: at, message: `non-resource URL "${url}" must start with "/" (or be exactly "*")` });
      return;
    }
    const star = url.indexOf('*');
    if (star !== -1 && star !== url.length - 1)
      problems.push({ level: 'error', pointer: at, message: `non-resource URL "${url}" may have "*" only as its last character` });
  });
  rule.resources.forEach((gr, i) => {
    const at = `${pointer}/resources/${i}`;
    if (gr.group !== '' && gr.group !== '*' && (gr.group.length > 253 || !DNS1123_SUBDOMAIN.test(gr.group)))
      problems.push({
        level: 'error',
        pointer: `${at}/group`,
        message: `group "${gr.group}" is not an API group name (a lower-case DNS subdomain like rbac.authorization.k8s.io, "" for core, or "*")`,
      });
    if (gr.resourceNames.length > 0 && gr.resources.length === 0)
      problems.push({ level: 'error', pointer: `${at}/resourceNames`, message: 'resourceNames needs at least one entry in resources' });
  });
  if (rule.nonResourceURLs.length > 0 && (rule.resources.length > 0 || rule.namespaces.length > 0))
    problems.push({
      level: 'error',
      pointer: `${pointer}/nonResourceURLs`,
      message: 'a rule cannot apply to both resources (resources or namespaces) and nonResourceURLs: split it into two rules',
    });
  validateStages(rule.omitStages, `${pointer}/omitStages`, problems);
}

function validateStages(stages: readonly string[], pointer: string, problems: PolicyProblem[]): void {
  stages.forEach((stage, i) => {
    if (!isAuditStage(stage))
      problems.push({
        level: 'error',
        pointer: `${pointer}/${i}`,
        message: `stage "${stage}" is not supported: use RequestReceived, ResponseStarted, ResponseComplete or Panic`,
      });
  });
}

/** The typed policy of a decoded policy that validated without errors. */
export function toAuditPolicy(policy: DecodedPolicy): AuditPolicy {
  return {
    rules: policy.rules.map(toRule),
    omitStages: policy.omitStages.filter(isAuditStage),
    omitManagedFields: policy.omitManagedFields,
  };
}

function toRule(rule: DecodedRule): PolicyRule {
  return {
    level: isAuditLevel(rule.level) ? rule.level : 'None',
    users: rule.users,
    userGroups: rule.userGroups,
    verbs: rule.verbs,
    resources: rule.resources,
    namespaces: rule.namespaces,
    nonResourceURLs: rule.nonResourceURLs,
    omitStages: rule.omitStages.filter((s): s is AuditStage => isAuditStage(s)),
    ...(rule.omitManagedFields === undefined ? {} : { omitManagedFields: rule.omitManagedFields }),
  };
}
