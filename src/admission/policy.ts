import picomatch from 'picomatch';

import { compareLevels, type PssLevel } from '../analysis/pss/levels.js';
import { VigilError } from '../core/errors.js';
import type { Check } from '../checks/define-check.js';
import type { ActiveCheck } from '../checks/run-checks.js';
import { pssLevelOf } from './admission-checks.js';
import {
  DEFAULT_ENFORCE,
  DEFAULT_OTHERS,
  DEFAULT_WARN,
  ENFORCE_LABEL,
  type AdmissionAction,
  type AdmissionSettings,
  type PolicySettings,
} from './settings.js';

/**
 * What the API server told us about the namespace's `vigil.dev/enforce` label, through the webhook it
 * called: the generated webhook configuration routes each label value to its own path, so the
 * webhook needs no access to the API to read namespace labels.
 */
export type LabelRoute =
  | { readonly kind: 'none' }
  | { readonly kind: 'level'; readonly level: PssLevel }
  /** The label is set to something other than privileged, baseline or restricted. */
  | { readonly kind: 'invalid' };

export const NO_LABEL: LabelRoute = { kind: 'none' };

/** Where a namespace's enforce level comes from. */
export type PolicySource = 'default' | 'config' | 'label' | 'invalid-label';

/** The policy one namespace is judged by. */
export interface ResolvedPolicy {
  readonly enforce: PssLevel;
  readonly warn: PssLevel;
  readonly source: PolicySource;
  /** The `admission.namespaces` key that applies, if any. */
  readonly configEntry?: string;
  /** Explicit mutation setting of the namespace entry (undefined: decided by the webhook routing). */
  readonly mutate?: boolean;
  /** Warnings to pass on with every decision in this namespace (an invalid label). */
  readonly notices: readonly string[];
  /** `enforce baseline (default), warn restricted` */
  readonly description: string;
  /** The action for a finding of this check. */
  actionOf(checkId: string): AdmissionAction;
}

function specificity(pattern: string): number {
  if (pattern === '*') return 0;
  return pattern.endsWith('/*') ? 1 : 2;
}

interface CompiledRules {
  readonly rules: readonly { readonly pattern: string; readonly match: (id: string) => boolean; readonly action: AdmissionAction }[];
}

function compileRules(checks: Readonly<Record<string, AdmissionAction>> | undefined): CompiledRules {
  const rules = Object.entries(checks ?? {})
    .map(([pattern, action]) => ({ pattern, match: matcher(pattern), action }))
    // Most specific first: an exact id wins over `area/*`, which wins over `*`.
    .sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
  return { rules };
}

function matcher(pattern: string): (id: string) => boolean {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*')) return (id) => id === pattern;
  const match = picomatch(pattern);
  return (id) => match(id);
}

function ruleAction(compiled: CompiledRules, id: string): AdmissionAction | undefined {
  return compiled.rules.find((r) => r.match(id))?.action;
}

function isGlob(key: string): boolean {
  return /[*?[\]{}]/.test(key);
}

const SOURCE_TEXT: Readonly<Record<PolicySource, string>> = {
  default: 'the default policy',
  config: 'the namespace entry of the configuration',
  label: `the namespace label ${ENFORCE_LABEL}`,
  'invalid-label': `an invalid ${ENFORCE_LABEL} label, failing closed`,
};

/**
 * Resolves the policy of each namespace from the configuration and the namespace label: a namespace
 * entry of the configuration wins (the deployer's word), then the `vigil.dev/enforce` label (as
 * `namespaceLabels` allows), then the default policy. Resolved policies are cached per configuration
 * entry and label, so the cache is bounded by the configuration, not by the requests.
 */
export class PolicyResolver {
  private readonly defaults: CompiledRules;
  private readonly entries: readonly { readonly key: string; readonly match: (ns: string) => boolean; readonly settings: PolicySettings }[];
  private readonly exact: ReadonlyMap<string, PolicySettings>;
  private readonly cache = new Map<string, ResolvedPolicy>();
  private readonly checkIds: readonly string[];
  private readonly checks: ReadonlyMap<string, Check>;

  constructor(
    private readonly settings: AdmissionSettings,
    active: readonly ActiveCheck[],
    catalog: ReadonlyMap<string, Check>,
    file = 'configuration',
  ) {
    this.checks = new Map(active.map((a) => [a.check.id, a.check]));
    this.checkIds = [...this.checks.keys()];
    const validate = (rules: Readonly<Record<string, AdmissionAction>> | undefined, where: string): void => {
      for (const pattern of Object.keys(rules ?? {})) {
        const m = matcher(pattern);
        if (![...catalog.keys()].some(m)) {
          throw new VigilError(`${file}: ${where}.checks["${pattern}"] matches no check`, { hint: 'List the checks with `vigil checks`.' });
        }
        if (!this.checkIds.some(m)) {
          throw new VigilError(`${file}: ${where}.checks["${pattern}"] matches no check that runs in admission`, {
            hint: 'Cluster-wide checks (and the few that need other objects) cannot judge one object; see docs/admission.md.',
          });
        }
      }
    };
    validate(settings.policy.checks, 'admission.policy');
    for (const [key, entry] of Object.entries(settings.namespaces)) validate(entry.checks, `admission.namespaces.${key}`);
    this.defaults = compileRules(settings.policy.checks);
    this.exact = new Map(Object.entries(settings.namespaces).filter(([key]) => !isGlob(key)));
    this.entries = Object.entries(settings.namespaces)
      .filter(([key]) => isGlob(key))
      .map(([key, entry]) => {
        const m = picomatch(key);
        return { key, match: (ns: string) => m(ns), settings: entry };
      });
  }

  /** The configuration entry for a namespace: an exact key, else the first glob that matches. */
  private entryOf(namespace: string): { key: string; settings: PolicySettings } | undefined {
    const exact = this.exact.get(namespace);
    if (exact !== undefined) return { key: namespace, settings: exact };
    const glob = this.entries.find((e) => e.match(namespace));
    return glob === undefined ? undefined : { key: glob.key, settings: glob.settings };
  }

  resolve(namespace: string, label: LabelRoute): ResolvedPolicy {
    const entry = this.entryOf(namespace);
    const labelKey = label.kind === 'level' ? label.level : label.kind;
    const cacheKey = `${entry?.key ?? ''}\u0000${labelKey}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const resolved = this.build(entry, label);
    this.cache.set(cacheKey, resolved);
    return resolved;
  }

  private build(entry: { key: string; settings: PolicySettings } | undefined, label: LabelRoute): ResolvedPolicy {
    const base = this.settings.policy;
    const own = entry?.settings ?? {};
    const defaultEnforce = base.enforce ?? DEFAULT_ENFORCE;
    let enforce = defaultEnforce;
    let source: PolicySource = 'default';
    const notices: string[] = [];
    const mode = this.settings.namespaceLabels;
    if (own.enforce !== undefined) {
      enforce = own.enforce;
      source = 'config';
    } else if (mode !== 'ignore' && label.kind === 'level') {
      if (mode === 'any' || compareLevels(label.level, defaultEnforce) > 0) {
        enforce = label.level;
        source = 'label';
      }
    } else if (mode !== 'ignore' && label.kind === 'invalid') {
      // Like the PodSecurity controller with an invalid enforce label: fail closed at the strictest level.
      enforce = 'restricted';
      source = 'invalid-label';
      notices.push(
        `the namespace's ${ENFORCE_LABEL} label is not privileged, baseline or restricted: Vigil enforces restricted until it is fixed`,
      );
    }
    const warn = own.warn ?? base.warn ?? DEFAULT_WARN;
    const ownRules = compileRules(own.checks);
    const others = own.others ?? base.others ?? DEFAULT_OTHERS;
    const actions = new Map<string, AdmissionAction>();
    for (const id of this.checkIds) {
      const check = this.checks.get(id);
      const explicit = ruleAction(ownRules, id) ?? ruleAction(this.defaults, id);
      if (explicit !== undefined) {
        actions.set(id, explicit);
        continue;
      }
      const level = check === undefined ? undefined : pssLevelOf(check);
      if (level === undefined) actions.set(id, others);
      else if (compareLevels(level, enforce) <= 0) actions.set(id, 'deny');
      else if (compareLevels(level, warn) <= 0) actions.set(id, 'warn');
      else actions.set(id, 'audit');
    }
    return {
      enforce,
      warn,
      source,
      ...(entry === undefined ? {} : { configEntry: entry.key }),
      ...(own.mutate === undefined ? {} : { mutate: own.mutate }),
      notices,
      description: `enforce ${enforce} (from ${SOURCE_TEXT[source]}), warn ${warn}`,
      actionOf: (checkId) => actions.get(checkId) ?? others,
    };
  }
}
