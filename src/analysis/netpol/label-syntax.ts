import { arrayOrEmpty, isRecord } from '../../k8s/guards.js';

/**
 * Label key and value syntax as the API server validates selectors (apimachinery
 * `validation.IsQualifiedName` / `IsValidLabelValue`). The foundation's selector compiler checks the
 * structure of a selector; the API also rejects keys and values that could never be labels, and a
 * policy carrying one would never have been admitted.
 */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has an invalid prefix (a DNS subdomain of at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key "${key}" is invalid (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** Why a label value is invalid, or undefined when it is valid (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `label value "${value}" is invalid (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** The first syntax problem of a label selector's keys and values, if any (structure is checked elsewhere). */
export function selectorSyntaxProblem(selector: unknown): string | undefined {
  if (!isRecord(selector)) return undefined;
  if (isRecord(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      const problem = labelKeyProblem(key) ?? (typeof value === 'string' ? labelValueProblem(value) : undefined);
      if (problem !== undefined) return problem;
    }
  }
  for (const expr of arrayOrEmpty(selector.matchExpressions)) {
    if (!isRecord(expr)) continue;
    if (typeof expr.key === 'string' && expr.key !== '') {
      const problem = labelKeyProblem(expr.key);
      if (problem !== undefined) return problem;
    }
    for (const value of arrayOrEmpty(expr.values)) {
      if (typeof value !== 'string') return `matchExpressions values must be strings, got ${JSON.stringify(value)}`;
      const problem = labelValueProblem(value);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
