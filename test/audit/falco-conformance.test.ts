// Falco's own k8saudit regression cases (../shared/conformance/falco-k8saudit/expectations.json), read
// in place: each case loads its rule files in order, reads its events through Vigil's audit readers,
// runs them through Vigil's detection engine and compares the alerts per rule, the total, the
// priorities and the rejected input with what Falco asserts.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { DetectionEngine } from '../../src/audit/engine.js';
import { loadFalcoRules, type RuleMatching } from '../../src/audit/falco/ruleset.js';
import { parsePriority } from '../../src/audit/falco/priority.js';
import { readAuditFiles } from '../../src/audit/readers/files.js';
import { emptyCounts } from '../../src/audit/readers/parse-lines.js';
import type { Alert } from '../../src/core/alert.js';
import type { InputProblem } from '../../src/core/errors.js';
import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';

interface Case {
  readonly id: string;
  readonly group: string;
  readonly events: string;
  readonly rules: readonly string[];
  readonly expect: Readonly<Record<string, number>>;
  readonly expectTotal?: number;
  readonly expectMinTotal?: number;
  readonly expectPriorities?: readonly string[];
  readonly expectErrorContains?: string;
  readonly legacyExpectTotal?: number;
  readonly note?: string;
}

const dir = (...p: string[]): string => sharedPath('conformance', 'falco-k8saudit', ...p);
const cases: Case[] = SHARED_AVAILABLE ? (JSON.parse(readFileSync(dir('expectations.json'), 'utf8')) as Case[]) : [];

/** The two cases whose count the README says cannot be checked with the shipped files. */
const uncheckable = (c: Case): boolean => c.legacyExpectTotal !== undefined && c.note !== undefined;

// Many cases load the same files: load each combination once (the rules keep no state between events).
const loadedSets = new Map<string, ReturnType<typeof loadFalcoRules>>();
function load(rules: readonly string[], matching: RuleMatching): ReturnType<typeof loadFalcoRules> {
  const key = `${matching}:${rules.join(',')}`;
  let hit = loadedSets.get(key);
  if (hit === undefined) {
    hit = loadFalcoRules(
      rules.map((r) => ({ file: r, text: readFileSync(dir(r), 'utf8') })),
      { ruleMatching: matching },
    );
    loadedSets.set(key, hit);
  }
  return hit;
}

async function runCase(
  c: Case,
  matching: RuleMatching,
): Promise<{ alerts: Alert[]; problems: InputProblem[]; loadProblems: InputProblem[] }> {
  const loaded = load(c.rules, matching);
  const engine = new DetectionEngine(loaded.rules);
  const alerts: Alert[] = [];
  const problems: InputProblem[] = [];
  for await (const item of readAuditFiles([dir(c.events)], emptyCounts())) {
    if (item.kind === 'problem') problems.push(item.problem);
    else alerts.push(...engine.process(item.event));
  }
  return { alerts, problems, loadProblems: loaded.problems };
}

function countsByRule(alerts: readonly Alert[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of alerts) out[a.rule] = (out[a.rule] ?? 0) + 1;
  return out;
}

describe.skipIf(!SHARED_AVAILABLE)('Falco k8saudit conformance (first-match, as Falco ran them)', () => {
  it('has the cases the README describes as checkable, and exactly two that are not', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.filter(uncheckable).map((c) => c.id)).toEqual([
      'compat_engine_v4_create_privileged_trusted_pod',
      'compat_engine_v4_create_hostnetwork_trusted_pod',
    ]);
  });

  for (const c of cases) {
    it(`${c.id} (${c.group})`, async () => {
      const { alerts, problems, loadProblems } = await runCase(c, 'first');
      // Every rule file of every case loads cleanly (upstream asserts at least that for each).
      expect(loadProblems.filter((p) => p.level === 'error')).toEqual([]);
      if (uncheckable(c)) {
        // The README explains why the legacy zero cannot be reproduced; only a clean load is checked.
        return;
      }
      const counts = countsByRule(alerts);
      for (const [rule, n] of Object.entries(c.expect)) expect({ rule, n: counts[rule] ?? 0 }).toEqual({ rule, n });
      if (c.expectTotal !== undefined) expect(alerts.map((a) => a.rule)).toHaveLength(c.expectTotal);
      if (c.expectMinTotal !== undefined) expect(alerts.length).toBeGreaterThanOrEqual(c.expectMinTotal);
      for (const p of c.expectPriorities ?? []) expect(alerts.map((a) => a.priority)).toContain(parsePriority(p));
      for (const a of alerts) expect(a.source).toBe('falco');
      if (c.expectErrorContains !== undefined) {
        // The invalid input is reported with its file and line, and the scan goes on.
        expect(problems.map((p) => p.message).join('\n')).toContain(c.expectErrorContains);
        expect(problems.every((p) => p.location.line !== undefined)).toBe(true);
      } else expect(problems).toEqual([]);
    });
  }
});

describe.skipIf(!SHARED_AVAILABLE)('Falco k8saudit conformance in all-rules mode', () => {
  it('gives every expected per-rule count too (the expected rule is always the first match)', async () => {
    for (const c of cases.filter((x) => !uncheckable(x) && Object.keys(x.expect).length > 0)) {
      const { alerts } = await runCase(c, 'all');
      const counts = countsByRule(alerts);
      for (const [rule, n] of Object.entries(c.expect)) expect({ id: c.id, rule, n: counts[rule] ?? 0 }).toEqual({ id: c.id, rule, n });
    }
  });

  it('raises the other matching rules as well, as the README says all-mode does', async () => {
    const wildcard = cases.find((c) => c.id === 'create_cluster_role_wildcard_resources');
    expect(wildcard).toBeDefined();
    const first = countsByRule((await runCase(wildcard as Case, 'first')).alerts);
    const all = countsByRule((await runCase(wildcard as Case, 'all')).alerts);
    expect(first['K8s ClusterRole Created']).toBeUndefined();
    expect(all['K8s ClusterRole Created']).toBe(1);
    expect(all['ClusterRole With Wildcard Created']).toBe(1);
  });
});
