import picomatch from 'picomatch';

import { UsageError, VigilError } from '../core/errors.js';
import { checkDocs, generatedChecks } from './catalog.generated.js';
import type { VigilConfig } from './config.js';
import type { Check } from './define-check.js';
import type { ActiveCheck } from './run-checks.js';

/** Every check Vigil has, keyed by id, in id order. */
export const CATALOG: ReadonlyMap<string, Check> = new Map(
  Object.entries(generatedChecks as Readonly<Record<string, Check>>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);

/** The README of a check (Why it matters / Examples / How to fix / When to disable). */
export function docsOf(id: string): string | undefined {
  return (checkDocs as Readonly<Record<string, string>>)[id];
}

function matcher(pattern: string): (id: string) => boolean {
  if (pattern === '*') return () => true;
  const match = picomatch(pattern);
  // picomatch's matcher takes a second argument, so never hand it to Array methods directly.
  return (id) => match(id);
}

/** Ids matching a pattern list; an unknown exact id is a usage error (a typo would silently run nothing). */
function expand(patterns: readonly string[], flag: string): ((id: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  for (const pattern of patterns) {
    if (![...CATALOG.keys()].some(matcher(pattern))) {
      throw new UsageError(`${flag}: no check matches "${pattern}"`, { hint: 'List the checks with `vigil checks`.' });
    }
  }
  const matchers = patterns.map(matcher);
  return (id) => matchers.some((m) => m(id));
}

export interface CheckSelection {
  /** Run only these ids or globs. */
  readonly only?: readonly string[];
  /** Never run these ids or globs. */
  readonly skip?: readonly string[];
}

/**
 * The checks to run, with severities and options from configuration. Settings for a glob apply to
 * every matching check; an exact id's settings win over a glob's. Options are validated here, so a bad
 * option stops the run with its check id instead of misbehaving later.
 */
export function activeChecks(
  config: VigilConfig,
  selection: CheckSelection = {},
  catalog: ReadonlyMap<string, Check> = CATALOG,
): ActiveCheck[] {
  const only = expand(selection.only ?? [], '--only');
  const skip = expand(selection.skip ?? [], '--skip');
  const settingsEntries = Object.entries(config.checks);
  for (const [pattern] of settingsEntries) {
    if (![...catalog.keys()].some(matcher(pattern))) {
      throw new VigilError(`${config.file ?? 'configuration'}: checks.${pattern} matches no check`, {
        hint: 'List the checks with `vigil checks`.',
      });
    }
  }
  // Globs first, exact ids last, so that exact settings override.
  settingsEntries.sort(([a], [b]) => Number(!a.includes('*')) - Number(!b.includes('*')));
  const active: ActiveCheck[] = [];
  for (const [id, check] of catalog) {
    if (only !== undefined && !only(id)) continue;
    if (skip?.(id) === true) continue;
    let enabled = true;
    let severity = check.meta.defaultSeverity;
    let rawOptions: Record<string, unknown> = {};
    for (const [pattern, settings] of settingsEntries) {
      if (!matcher(pattern)(id)) continue;
      if (settings.enabled !== undefined) enabled = settings.enabled;
      if (settings.severity !== undefined) severity = settings.severity;
      if (settings.options !== undefined) rawOptions = { ...rawOptions, ...settings.options };
    }
    if (!enabled && only?.(id) !== true) continue;
    let options: unknown = {};
    if (check.options !== undefined) {
      const parsed = check.options.safeParse(rawOptions);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new VigilError(
          `${config.file ?? 'configuration'}: checks.${id}.options${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`,
          {
            hint: `See \`vigil explain ${id}\` for its options.`,
          },
        );
      }
      options = parsed.data;
    } else if (Object.keys(rawOptions).length > 0) {
      throw new VigilError(`${config.file ?? 'configuration'}: checks.${id} takes no options`);
    }
    active.push({ check, severity, options });
  }
  return active;
}
