import { describe, expect, it } from 'vitest';

import { builtinRuleFiles } from '../audit/builtin-rules.js';
import type { DetectionRule } from '../audit/rule.js';
import { loadVigilRules } from '../audit/vigil-rules.js';
import type { Alert } from '../core/alert.js';
import { GLOBAL_LANE, laneOfAlert, pinsActor, ruleScope, splitRules } from './lanes.js';
import { partitionOf } from './partition.js';

function rulesOf(yaml: string): DetectionRule[] {
  const loaded = loadVigilRules([{ file: 'test.yaml', text: yaml }]);
  expect(loaded.problems).toEqual([]);
  return loaded.rules;
}

const rule = (id: string, body: string): string => `
  - id: ${id}
    title: ${id}
    severity: low
${body}
    output: '{actor.name}'`;

const USER_RULES = rulesOf(`
rules:${rule(
  'by-actor-window',
  `    match: { codes: [403] }
    window: { count: 5, within: 1m, by: [actor.name, verb] }`,
)}${rule(
  'by-user-window',
  `    match: { codes: [403] }
    window: { count: 5, within: 1m, by: [user.name] }`,
)}${rule(
  'by-user-and-impersonated',
  `    match: { codes: [403] }
    window: { count: 5, within: 1m, by: [impersonatedUser.name, namespace, user.name] }`,
)}${rule(
  'empty-key-window',
  `    match: { codes: [403] }
    window: { count: 5, within: 1m, by: [] }`,
)}${rule(
  'first-seen-by-actor',
  `    match: { verbs: [create] }
    firstSeen: { by: [actor.name, resource], learning: 1h }`,
)}${rule(
  'first-seen-by-namespace',
  `    match: { verbs: [create] }
    firstSeen: { by: [namespace, resource], learning: 1h }`,
)}${rule(
  'sequence-by-actor',
  `    sequence:
      within: 5m
      steps:
        - { match: { verbs: [create] }, by: [actor.name, name] }
        - { match: { verbs: [delete] }, by: [actor.name, name] }`,
)}${rule(
  'sequence-one-step-off',
  `    sequence:
      within: 5m
      steps:
        - { match: { verbs: [create] }, by: [actor.name, name] }
        - { match: { verbs: [delete] }, by: [name] }
    throttle: { window: 1m, by: [actor.name] }`,
)}${rule('stateless-default-throttle', `    match: { verbs: [create] }`)}${rule(
  'stateless-throttle-by-source',
  `    match: { verbs: [create] }
    throttle: { window: 10m, by: [sourceIP] }`,
)}${rule(
  'stateless-no-throttle',
  `    match: { verbs: [create] }
    throttle: { window: 0s, by: [sourceIP] }`,
)}${rule(
  'window-by-actor-throttle-by-namespace',
  `    match: { verbs: [delete] }
    window: { count: 3, within: 1m, by: [actor.name] }
    throttle: { window: 10m, by: [namespace] }`,
)}
`);

const byId = (rules: readonly DetectionRule[], id: string): DetectionRule => {
  const found = rules.find((r) => r.id === id);
  if (found === undefined) throw new Error(`no rule ${id}`);
  return found;
};

describe('pinsActor', () => {
  it('holds for actor.name, or for the user together with the impersonated user', () => {
    expect(pinsActor(['actor.name'])).toBe(true);
    expect(pinsActor(['verb', 'actor.name', 'target'])).toBe(true);
    expect(pinsActor(['user.name', 'impersonatedUser.name'])).toBe(true);
    expect(pinsActor(['impersonatedUser.username', 'user.username'])).toBe(true);
    // The authenticated user alone is not the actor: an impersonating request acts as someone else.
    expect(pinsActor(['user.name'])).toBe(false);
    expect(pinsActor(['impersonatedUser.name'])).toBe(false);
    expect(pinsActor(['actor.uid'])).toBe(false);
    expect(pinsActor(['actor.groups'])).toBe(false);
    expect(pinsActor(['sourceIP'])).toBe(false);
    expect(pinsActor([])).toBe(false);
  });
});

describe('ruleScope', () => {
  const scope = (id: string, options?: { throttle?: boolean }): string => {
    const s = ruleScope(byId(USER_RULES, id), options);
    return s.scope === 'global' ? `global: ${s.reason ?? ''}` : 'partition';
  };

  it('keeps rules whose every state key pins the actor in the partitions', () => {
    expect(scope('by-actor-window')).toBe('partition');
    expect(scope('by-user-and-impersonated')).toBe('partition');
    expect(scope('first-seen-by-actor')).toBe('partition');
    expect(scope('sequence-by-actor')).toBe('partition');
    // Stateless rules throttle by [actor.name, verb, target] unless told otherwise.
    expect(scope('stateless-default-throttle')).toBe('partition');
    expect(scope('stateless-no-throttle')).toBe('partition');
  });

  it('sends every rule with a key that does not pin the actor to the global lane, naming the key', () => {
    expect(scope('by-user-window')).toBe('global: window by [user.name]');
    expect(scope('empty-key-window')).toBe('global: window by []');
    expect(scope('first-seen-by-namespace')).toBe('global: firstSeen by [namespace, resource]');
    expect(scope('sequence-one-step-off')).toBe('global: sequence step 2 by [name]');
    expect(scope('stateless-throttle-by-source')).toBe('global: throttle by [sourceIP]');
    expect(scope('window-by-actor-throttle-by-namespace')).toBe('global: throttle by [namespace]');
  });

  it('ignores throttle keys when the engines do not throttle', () => {
    expect(scope('stateless-throttle-by-source', { throttle: false })).toBe('partition');
    expect(scope('window-by-actor-throttle-by-namespace', { throttle: false })).toBe('partition');
    expect(scope('by-user-window', { throttle: false })).toBe('global: window by [user.name]');
  });

  it('classifies the built-in rules: the three whose state is not keyed by the actor are global', () => {
    const { rules, problems } = loadVigilRules(builtinRuleFiles());
    expect(problems).toEqual([]);
    const split = splitRules(rules);
    expect(Object.fromEntries(split.reasons)).toEqual({
      'failed-requests-surge-by-source': 'window by [sourceIP]',
      'anonymous-request-allowed': 'throttle by [sourceIP, verb, target]',
      'pod-created-then-exec-by-other': 'sequence step 1 by [namespace, name]',
    });
    expect(split.global.map((r) => r.id)).toEqual(rules.filter((r) => split.reasons.has(r.id)).map((r) => r.id));
    expect(split.local.length + split.global.length).toBe(rules.length);
    // Keyed by the actor: these stay in the partitions.
    for (const id of ['failed-requests-surge-by-user', 'mass-deletion', 'first-sensitive-action', 'impersonation'])
      expect(split.local.map((r) => r.id)).toContain(id);
  });
});

describe('splitRules', () => {
  it('keeps rule order in both parts', () => {
    const split = splitRules(USER_RULES);
    expect(split.local.map((r) => r.id)).toEqual(USER_RULES.filter((r) => ruleScope(r).scope === 'partition').map((r) => r.id));
    expect(split.global.map((r) => r.id)).toEqual(USER_RULES.filter((r) => ruleScope(r).scope === 'global').map((r) => r.id));
  });

  it('keeps a first-match group whole: one global member takes the group to the global lane', () => {
    const base = byId(USER_RULES, 'stateless-no-throttle');
    const first: DetectionRule = { ...base, id: 'fm-1', firstMatch: true };
    const second: DetectionRule = { ...byId(USER_RULES, 'stateless-throttle-by-source'), id: 'fm-2', firstMatch: true };
    const plain: DetectionRule = { ...base, id: 'plain' };
    const split = splitRules([first, plain, second]);
    expect(split.global.map((r) => r.id)).toEqual(['fm-1', 'fm-2']);
    expect(split.local.map((r) => r.id)).toEqual(['plain']);
    expect(split.reasons.get('fm-1')).toBe('in a first-match group with a global rule');
    // A group of local rules stays local.
    expect(splitRules([first, plain]).global).toEqual([]);
  });
});

describe('laneOfAlert', () => {
  it('puts a global rule’s alert on the global lane and any other on its actor’s partition', () => {
    const alert = (rule: string, user?: string): Alert => ({
      id: 'x',
      rule,
      source: 'vigil',
      severity: 'low',
      title: 't',
      output: 'o',
      time: '2026-01-01T00:00:00Z',
      ...(user === undefined ? {} : { user }),
    });
    const globals = new Set(['g']);
    expect(laneOfAlert(alert('g', 'alice'), globals, 16)).toBe(GLOBAL_LANE);
    expect(laneOfAlert(alert('l', 'alice'), globals, 16)).toBe(partitionOf('alice', 16));
    expect(laneOfAlert(alert('l'), globals, 16)).toBe(partitionOf('', 16));
  });
});
