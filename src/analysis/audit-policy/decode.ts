import { isRecord } from '../../k8s/guards.js';

/**
 * A policy as decoded from JSON or YAML, before validation: levels and stages are still plain
 * strings (in Go they are string types too, and validation is what rejects `FooBar`).
 */
export interface DecodedGroupResources {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface DecodedRule {
  readonly level: string;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly DecodedGroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly omitStages: readonly string[];
  readonly omitManagedFields?: boolean;
}

export interface DecodedPolicy {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly rules: readonly DecodedRule[];
  readonly omitStages: readonly string[];
  readonly omitManagedFields: boolean;
}

/** A problem found while decoding or validating, at a JSON pointer into the policy document. */
export interface PolicyProblem {
  /** `error` makes the policy unusable; `warning` is reported and the policy still loads. */
  readonly level: 'error' | 'warning';
  /** JSON pointer, e.g. `/rules/2/omitStages/0`. */
  readonly pointer: string;
  readonly message: string;
}

const POLICY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const RULE_FIELDS = new Set([
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  'omitManagedFields',
]);
const GROUP_RESOURCES_FIELDS = new Set(['group', 'resources', 'resourceNames']);

class Decoder {
  readonly problems: PolicyProblem[] = [];

  /** Strict decoding fails on unknown fields; the API server then decodes leniently and logs a warning. */
  unknownFields(value: Readonly<Record<string, unknown>>, known: ReadonlySet<string>, pointer: string): void {
    for (const key of Object.keys(value)) {
      if (!known.has(key)) {
        this.problems.push({
          level: 'warning',
          pointer: `${pointer}/${escape(key)}`,
          message: `unknown field "${key}" is ignored (the API server drops it with a warning, so it has no effect)`,
        });
      }
    }
  }

  typeError(pointer: string, expected: string, value: unknown): void {
    this.problems.push({ level: 'error', pointer, message: `expected ${expected}, got ${describe(value)}` });
  }

  string(value: unknown, pointer: string): string {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    this.typeError(pointer, 'a string', value);
    return '';
  }

  strings(value: unknown, pointer: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.typeError(pointer, 'a list of strings', value);
      return [];
    }
    return value.map((item, i) => this.string(item, `${pointer}/${i}`));
  }

  bool(value: unknown, pointer: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.typeError(pointer, 'true or false', value);
    return undefined;
  }

  groupResources(value: unknown, pointer: string): DecodedGroupResources {
    if (value === null || value === undefined) return { group: '', resources: [], resourceNames: [] };
    if (!isRecord(value)) {
      this.typeError(pointer, 'an object with group, resources and resourceNames', value);
      return { group: '', resources: [], resourceNames: [] };
    }
    this.unknownFields(value, GROUP_RESOURCES_FIELDS, pointer);
    return {
      group: this.string(value.group, `${pointer}/group`),
      resources: this.strings(value.resources, `${pointer}/resources`),
      resourceNames: this.strings(value.resourceNames, `${pointer}/resourceNames`),
    };
  }

  rule(value: unknown, pointer: string): DecodedRule {
    if (!isRecord(value)) {
      if (value !== null && value !== undefined) this.typeError(pointer, 'a rule (an object with a level)', value);
      return emptyRule();
    }
    this.unknownFields(value, RULE_FIELDS, pointer);
    const resources = value.resources;
    let decodedResources: DecodedGroupResources[] = [];
    if (Array.isArray(resources)) decodedResources = resources.map((r, i) => this.groupResources(r, `${pointer}/resources/${i}`));
    else if (resources !== undefined && resources !== null) this.typeError(`${pointer}/resources`, 'a list of group resources', resources);
    const omitManagedFields = this.bool(value.omitManagedFields, `${pointer}/omitManagedFields`);
    return {
      level: this.string(value.level, `${pointer}/level`),
      users: this.strings(value.users, `${pointer}/users`),
      userGroups: this.strings(value.userGroups, `${pointer}/userGroups`),
      verbs: this.strings(value.verbs, `${pointer}/verbs`),
      resources: decodedResources,
      namespaces: this.strings(value.namespaces, `${pointer}/namespaces`),
      nonResourceURLs: this.strings(value.nonResourceURLs, `${pointer}/nonResourceURLs`),
      omitStages: this.strings(value.omitStages, `${pointer}/omitStages`),
      ...(omitManagedFields === undefined ? {} : { omitManagedFields }),
    };
  }
}

function emptyRule(): DecodedRule {
  return { level: '', users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [] };
}

/**
 * Decode a policy document (already parsed from YAML or JSON) the way the API server does: unknown
 * fields become warnings (strict decoding fails, lenient decoding drops them); a value of the wrong
 * type is an error (lenient decoding fails on it too). Never throws.
 */
export function decodePolicy(value: unknown): { policy: DecodedPolicy; problems: PolicyProblem[] } {
  const decoder = new Decoder();
  if (!isRecord(value)) {
    decoder.typeError('', 'an audit.k8s.io/v1 Policy object', value);
    return { policy: { rules: [], omitStages: [], omitManagedFields: false }, problems: decoder.problems };
  }
  decoder.unknownFields(value, POLICY_FIELDS, '');
  let rules: DecodedRule[] = [];
  if (Array.isArray(value.rules)) rules = value.rules.map((rule, i) => decoder.rule(rule, `/rules/${i}`));
  else if (value.rules !== undefined && value.rules !== null) decoder.typeError('/rules', 'a list of rules', value.rules);
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : undefined;
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  return {
    policy: {
      ...(apiVersion === undefined ? {} : { apiVersion }),
      ...(kind === undefined ? {} : { kind }),
      rules,
      omitStages: decoder.strings(value.omitStages, '/omitStages'),
      omitManagedFields: decoder.bool(value.omitManagedFields, '/omitManagedFields') ?? false,
    },
    problems: decoder.problems,
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Escape a key for a JSON pointer (RFC 6901). */
function escape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
