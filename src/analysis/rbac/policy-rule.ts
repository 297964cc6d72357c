import { appendPointer } from '../../core/json-pointer.js';
import { isRecord } from '../../k8s/guards.js';

/**
 * A PolicyRule (rbac.authorization.k8s.io/v1) with every list present. Absent lists are empty, as the
 * API server treats them: an empty `verbs` or `apiGroups` list matches nothing.
 */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** Something odd in an RBAC object that Vigil read around; reported, never silently dropped. */
export interface RuleReadProblem {
  /** JSON Pointer of the field inside the object. */
  readonly pointer: string;
  readonly message: string;
}

const FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

/** Read one list field: strings kept, anything else reported and left out (the API server would reject it). */
function stringList(value: unknown, pointer: string, problems: RuleReadProblem[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ pointer, message: 'is not a list; it was read as empty (matches nothing)' });
    return [];
  }
  const out: string[] = [];
  value.forEach((item: unknown, i) => {
    if (typeof item === 'string') out.push(item);
    else problems.push({ pointer: appendPointer(pointer, i), message: 'is not a string; it was left out' });
  });
  return out;
}

/** Read a rule from untrusted input. A rule that is not an object reads as empty and is reported. */
export function readPolicyRule(value: unknown, pointer: string, problems: RuleReadProblem[]): PolicyRule {
  if (!isRecord(value)) {
    problems.push({ pointer, message: 'is not an object; the rule grants nothing' });
    return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [] };
  }
  const [verbs, apiGroups, resources, resourceNames, nonResourceURLs] = FIELDS.map((field) =>
    stringList(value[field], appendPointer(pointer, field), problems),
  ) as [string[], string[], string[], string[], string[]];
  return { verbs, apiGroups, resources, resourceNames, nonResourceURLs };
}

/** A key equal for rules the aggregation controller treats as equal (semantic deep equality: nil == empty). */
export function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames, rule.nonResourceURLs]);
}
