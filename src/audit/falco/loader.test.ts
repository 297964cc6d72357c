import { describe, expect, it } from 'vitest';

import { DetectionEngine } from '../engine.js';
import { loadFalcoRules, type FalcoRuleFile, type RuleMatching } from './ruleset.js';
import { auditEvent, evaluate, podCreate } from './test-support.js';

const BASE = `
- required_engine_version: 15
- list: ns
  items: [shop]
- macro: creates
  condition: ka.verb = create
- rule: A
  desc: a
  condition: creates and ka.target.namespace in (ns)
  output: "A by %ka.user.name in %ka.target.namespace (manager=%ka.uri.param[fieldManager] user=%jevt.value[/user/username] missing=%ka.target.subresource)"
  priority: NOTICE
  source: k8s_audit
  tags: [k8s, T1610, mitre_execution]
  exceptions:
    - name: alice
      fields: [ka.user.name]
      values: [[alice]]
- rule: B
  desc: b
  condition: ka.verb = create
  output: B
  priority: info
  source: k8s_audit
  enabled: false
- rule: S
  desc: a syscall rule
  condition: evt.type = open
  output: S
  priority: info
`;

const load = (texts: readonly string[], matching: RuleMatching = 'all') =>
  loadFalcoRules(
    texts.map((text, i): FalcoRuleFile => ({ file: `f${i}.yaml`, text })),
    { ruleMatching: matching },
  );

const ruleOf = (texts: readonly string[], id: string) => load(texts).rules.find((r) => r.id === id);
/** A pod create by carol (whom no exception names) in shop, with `extra` merged in. */
const on = (extra: Record<string, unknown>) => auditEvent(podCreate({ user: { username: 'carol', groups: [] }, ...extra }));

describe('loading Falco rules files', () => {
  it('keeps the k8s_audit rules in file order, with priority, severity, tags and origin', () => {
    const r = load([BASE]);
    expect(r.problems.filter((p) => p.level !== 'info')).toEqual([]);
    expect(r.rules.map((x) => [x.id, x.enabled, x.priority, x.severity])).toEqual([
      ['A', true, 'Notice', 'low'],
      ['B', false, 'Informational', 'info'],
    ]);
    const a = r.rules[0];
    expect(a?.source).toBe('falco');
    expect(a?.mitre).toEqual(['T1610']);
    expect(a?.origin).toEqual({ file: 'f0.yaml', line: 7 });
    // The syscall rule is loaded (it may be overridden later) but never run; the count says so.
    expect(r.counts.otherSources).toEqual({ syscall: 1 });
    expect(r.problems.map((p) => p.message)).toContain(
      '1 rule(s) of source syscall loaded but not run: Vigil runs the k8s_audit rules (rules without source: are syscall rules)',
    );
  });

  it('applies exceptions as `and not (...)`', () => {
    const a = ruleOf([BASE], 'A');
    expect(evaluate(a, on({}))).toBe(true);
    expect(evaluate(a, on({ user: { username: 'alice', groups: [] } }))).toBe(false);
    expect(evaluate(a, on({ verb: 'get' }))).toBe(false);
  });

  it('appends to lists, macros, rule conditions and exceptions from later files', () => {
    const more = `
- list: ns
  items: [other]
  override: {items: append}
- macro: creates
  condition: or ka.verb = patch
  append: true
- rule: A
  condition: and ka.user.name != nobody
  append: true
- rule: A
  exceptions:
    - name: bob
      fields: [ka.user.name]
      values: [[bob]]
  override: {exceptions: append}
`;
    const a = ruleOf([BASE, more], 'A');
    expect(evaluate(a, on({ objectRef: { resource: 'pods', namespace: 'other', name: 'x' } }))).toBe(true);
    expect(evaluate(a, on({ verb: 'patch' }))).toBe(true);
    for (const username of ['nobody', 'bob', 'alice']) expect(evaluate(a, on({ user: { username, groups: [] } }))).toBe(false);
  });

  it('replaces by name, keeping the first position (which decides first-match)', () => {
    const redefine = `
- rule: Z
  desc: z
  condition: ka.verb = create
  output: Z
  priority: ERROR
  source: k8s_audit
- rule: A
  desc: a again
  condition: ka.verb = create
  output: A2
  priority: CRITICAL
  source: k8s_audit
`;
    const r = load([BASE, redefine], 'first');
    expect(r.rules.map((x) => x.id)).toEqual(['A', 'B', 'Z']);
    expect(r.rules[0]?.priority).toBe('Critical');
    const alerts = new DetectionEngine(r.rules).process(on({ user: { username: 'alice', groups: [] } }));
    // The redefinition dropped A's exception; A is still first and is the only alert in first-match mode.
    expect(alerts.map((x) => [x.rule, x.output])).toEqual([['A', 'A2']]);
  });

  it('turns rules on and off with enable-only entries, enabled: false and override: {enabled: replace}', () => {
    const toggles = `
- rule: B
  enabled: true
- rule: A
  enabled: false
  override: {enabled: replace}
`;
    const r = load([BASE, toggles]);
    expect(r.rules.map((x) => [x.id, x.enabled])).toEqual([
      ['A', false],
      ['B', true],
    ]);
    // Only enabled rules run.
    expect(new DetectionEngine(r.rules).process(on({})).map((x) => x.rule)).toEqual(['B']);
  });

  it('replaces parts of a rule with override: replace', () => {
    const replace = `
- rule: A
  condition: ka.verb = delete
  priority: ERROR
  override: {condition: replace, priority: replace}
`;
    const a = ruleOf([BASE, replace], 'A');
    expect(a?.priority).toBe('Error');
    expect(evaluate(a, on({}))).toBe(false);
    expect(evaluate(a, on({ verb: 'delete' }))).toBe(true);
  });

  it('reports required versions above what Vigil offers, and loads anyway', () => {
    const r = load([
      `- required_engine_version: 0.99.0
- required_plugin_versions:
  - name: k8saudit
    version: 1.0.0
${BASE}`,
    ]);
    const warnings = r.problems.filter((p) => p.level === 'warning').map((p) => `${p.location.line}: ${p.message}`);
    expect(warnings).toEqual([
      "1: required_engine_version 0.99.0 is more than Vigil's Falco rules engine (0.45.0); loading anyway",
      '3: required_plugin_versions asks for k8saudit 1.0.0; Vigil provides the fields of k8saudit 0.18.0, json 0.7.0; loading anyway',
    ]);
    expect(r.rules.map((x) => x.id)).toEqual(['A', 'B']);
  });

  it('names file, line, column and rule for a condition that does not parse, and keeps the other rules', () => {
    const broken = `
- rule: Broken
  desc: x
  condition: ka.verb = create andx ka.user.name = a
  output: x
  priority: WARNING
  source: k8s_audit
`;
    const r = load([BASE, broken]);
    const errors = r.problems.filter((p) => p.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.location).toMatchObject({ file: 'f1.yaml', line: 4 });
    expect(errors[0]?.message).toMatch(/^rule 'Broken': expected blank or '\(' after 'and' at column 21 of the condition/);
    expect(r.rules.map((x) => x.id)).toEqual(['A', 'B']);
  });

  it('reports an unknown field, and skips the rule quietly with skip-if-unknown-filter', () => {
    const unknown = (skip: boolean) => `
- rule: U
  desc: x
  condition: ka.no.such.field = 1
  output: x
  priority: WARNING
  source: k8s_audit
${skip ? '  skip-if-unknown-filter: true\n' : ''}`;
    const hard = load([unknown(false)]).problems.filter((p) => p.level === 'error');
    expect(hard.map((p) => p.message).join('\n')).toContain('ka.no.such.field');
    const soft = load([unknown(true)]);
    expect(soft.problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(soft.rules).toEqual([]);
  });

  it('renders output templates with %field and %field[arg], <NA> for what is missing', () => {
    const r = load([BASE]);
    const [alert] = new DetectionEngine(r.rules).process(on({}));
    expect(alert?.output).toBe('A by carol in shop (manager=kubectl-client-side-apply user=carol missing=<NA>)');
    expect(alert?.fields).toMatchObject({ 'ka.user.name': 'carol', 'ka.uri.param[fieldManager]': 'kubectl-client-side-apply' });
  });
});
