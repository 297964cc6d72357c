import { arrayOrEmpty, isRecord, stringOrUndefined } from './guards.js';
import type { Labels } from './types.js';

/**
 * A compiled metav1.LabelSelector. Semantics follow apimachinery's LabelSelectorAsSelector:
 * an empty selector `{}` matches everything, an absent one matches nothing (callers decide which
 * applies), `NotIn` and `DoesNotExist` match objects that lack the key.
 */
export type CompiledSelector =
  | { readonly valid: true; readonly matchesEverything: boolean; matches(labels: Labels): boolean }
  | { readonly valid: false; readonly reason: string; matches(labels: Labels): false };

type Requirement =
  | { readonly op: 'In' | 'NotIn'; readonly key: string; readonly values: ReadonlySet<string> }
  | { readonly op: 'Exists' | 'DoesNotExist'; readonly key: string };

function invalid(reason: string): CompiledSelector {
  return { valid: false, reason, matches: () => false };
}

/** Compile a selector from untrusted input. Invalid selectors (the API server rejects them) match nothing. */
export function compileLabelSelector(selector: unknown): CompiledSelector {
  if (selector === undefined || selector === null) return { valid: true, matchesEverything: true, matches: () => true };
  if (!isRecord(selector)) return invalid('a label selector must be an object');
  const requirements: Requirement[] = [];
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return invalid('matchLabels must be a map of strings');
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return invalid(`matchLabels["${key}"] must be a string`);
      requirements.push({ op: 'In', key, values: new Set([value]) });
    }
  }
  for (const [i, expr] of arrayOrEmpty(matchExpressions).entries()) {
    if (!isRecord(expr)) return invalid(`matchExpressions[${i}] must be an object`);
    const key = stringOrUndefined(expr.key);
    if (key === undefined || key === '') return invalid(`matchExpressions[${i}].key is required`);
    const values = arrayOrEmpty(expr.values).filter((v): v is string => typeof v === 'string');
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return invalid(`matchExpressions[${i}]: values must be non-empty for ${expr.operator}`);
        requirements.push({ op: expr.operator, key, values: new Set(values) });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return invalid(`matchExpressions[${i}]: values must be empty for ${expr.operator}`);
        requirements.push({ op: expr.operator, key });
        break;
      default:
        return invalid(`matchExpressions[${i}]: unknown operator ${JSON.stringify(expr.operator)}`);
    }
  }
  if (requirements.length === 0) return { valid: true, matchesEverything: true, matches: () => true };
  return {
    valid: true,
    matchesEverything: false,
    matches(labels: Labels): boolean {
      for (const req of requirements) {
        const has = Object.hasOwn(labels, req.key);
        switch (req.op) {
          case 'In':
            if (!has || !req.values.has(labels[req.key] as string)) return false;
            break;
          case 'NotIn':
            if (has && req.values.has(labels[req.key] as string)) return false;
            break;
          case 'Exists':
            if (!has) return false;
            break;
          case 'DoesNotExist':
            if (has) return false;
            break;
        }
      }
      return true;
    },
  };
}

/** Equality-based selector of a Service or ReplicationController: every pair must match; empty selects nothing. */
export function matchesEqualitySelector(selector: Labels | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([key, value]) => labels[key] === value);
}
