import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BUILTIN_RULES_DIR } from './builtin-rules.js';
import { builtinRules, readFixture, runCase } from './test-support/rule-harness.js';

const FIXTURES = join(BUILTIN_RULES_DIR, 'fixtures');
const { rules, problems } = builtinRules();

describe('built-in rules', () => {
  it('load without problems', () => {
    expect(problems).toEqual([]);
  });

  it('are at least 30, with unique ids, MITRE techniques and descriptions', () => {
    expect(rules.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.mitre.length, rule.id).toBeGreaterThan(0);
      expect(rule.description.length, rule.id).toBeGreaterThan(20);
    }
  });

  it('each have a fixture with firing and quiet cases, and no fixture lacks a rule', () => {
    for (const rule of rules) {
      const path = join(FIXTURES, `${rule.id}.yaml`);
      expect(existsSync(path), `${rule.id} needs ${path}`).toBe(true);
      const fixture = readFixture(path);
      expect(fixture.fire.length, `${rule.id} fire cases`).toBeGreaterThan(0);
      expect(fixture.quiet.length, `${rule.id} quiet cases`).toBeGreaterThan(0);
    }
    const ids = new Set(rules.map((r) => r.id));
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')))
      expect(ids.has(file.replace(/\.yaml$/, '')), file).toBe(true);
  });
});

for (const rule of rules) {
  const path = join(FIXTURES, `${rule.id}.yaml`);
  if (!existsSync(path)) continue;
  const fixture = readFixture(path);
  describe(`rule ${rule.id}`, () => {
    it.each(fixture.fire.map((c) => [c.name, c] as const))('fires: %s', (name, c) => {
      const { alerts, stats } = runCase(`${rule.id}-fire-${name}`, c);
      expect(alerts.filter((a) => a.rule === rule.id).length).toBeGreaterThan(0);
      expect(stats.conditionErrors).toEqual({});
      for (const alert of alerts.filter((a) => a.rule === rule.id)) {
        expect(alert.output).not.toContain('<none>');
        expect(alert.auditIDs?.length).toBeGreaterThan(0);
      }
    });
    it.each(fixture.quiet.map((c) => [c.name, c] as const))('stays quiet: %s', (name, c) => {
      const { alerts, stats } = runCase(`${rule.id}-quiet-${name}`, c);
      expect(alerts.filter((a) => a.rule === rule.id)).toEqual([]);
      expect(stats.conditionErrors).toEqual({});
    });
  });
}
