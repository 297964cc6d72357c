import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { BUILTIN_RULES_DIR, builtinRuleFiles } from './builtin-rules.js';
import { activation, auditCelEnvironment, auditFunctions } from './cel.js';
import { Bail, compileFast, ERR } from './cel-fast.js';
import { toAuditEvent, type AuditEvent } from './event.js';
import { expandEvents, readFixture } from './test-support/rule-harness.js';

const files = builtinRuleFiles().map(
  (f) =>
    parse(f.text) as {
      lists?: Record<string, string[]>;
      rules?: { id: string; condition?: string; sequence?: { steps: { condition?: string }[] } }[];
    },
);
const lists = Object.assign({}, ...files.map((f) => f.lists ?? {})) as Record<string, string[]>;
const env = auditCelEnvironment(lists, {});
const functions = auditFunctions(lists, {});

const conditions = files.flatMap((f) =>
  (f.rules ?? []).flatMap((r) =>
    [r.condition, ...(r.sequence?.steps.map((s) => s.condition) ?? [])]
      .filter((c): c is string => c !== undefined)
      .map((c) => [r.id, c] as const),
  ),
);

function corpus(): AuditEvent[] {
  const events: AuditEvent[] = [];
  const fixtures = join(BUILTIN_RULES_DIR, 'fixtures');
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.yaml'))) {
    const fixture = readFixture(join(fixtures, file));
    for (const c of [...fixture.fire, ...fixture.quiet]) events.push(...expandEvents(`${file}-${c.name}`, c.events));
  }
  const shared = join(BUILTIN_RULES_DIR, '..', '..', '..', '..', 'shared', 'conformance');
  const lines: string[] = [];
  try {
    const falco = join(shared, 'falco-k8saudit', 'events');
    for (const f of readdirSync(falco)) lines.push(...readFileSync(join(falco, f), 'utf8').split('\n'));
    lines.push(...readFileSync(join(shared, 'audit-logs', 'audit2rbac-demo.log'), 'utf8').split('\n'));
  } catch {
    // The shared samples are optional here; the fixtures alone still exercise every rule.
  }
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const e = toAuditEvent(JSON.parse(line));
      if (!('error' in e)) events.push(e);
    } catch {
      // not JSON
    }
  }
  // Odd shapes: bodies and fields of the wrong type, missing everything.
  for (const odd of [
    {
      verb: 'create',
      stage: 'ResponseComplete',
      objectRef: { resource: 'pods' },
      requestObject: { kind: 'Pod', spec: { containers: 'nope' } },
      responseStatus: { code: 201 },
    },
    {
      verb: 'create',
      stage: 'ResponseComplete',
      objectRef: { resource: 'configmaps' },
      requestObject: { data: [1, 2] },
      responseStatus: { code: 201 },
    },
    { verb: 'get', stage: 'ResponseComplete', user: { username: 7 }, responseStatus: { code: '200' } },
    {
      verb: 'patch',
      stage: 'ResponseComplete',
      objectRef: { resource: 'namespaces' },
      requestObject: { metadata: { labels: null } },
      responseStatus: { code: 200 },
    },
    {
      verb: 'create',
      stage: 'ResponseComplete',
      objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io' },
      requestObject: { rules: [{ verbs: 'x' }, null] },
      responseStatus: { code: 201 },
    },
  ]) {
    const e = toAuditEvent({ kind: 'Event', auditID: 'odd', ...odd });
    if (!('error' in e)) events.push(e);
  }
  return events;
}

type Outcome = 'true' | 'false' | 'error' | 'bail';

function interpreted(run: (vars: Record<string, unknown>) => unknown, vars: Record<string, unknown>): Outcome {
  try {
    return run(vars) === true ? 'true' : 'false';
  } catch {
    return 'error';
  }
}

function fast(run: (vars: Record<string, unknown>) => unknown, vars: Record<string, unknown>): Outcome {
  try {
    const v = run(vars);
    return v === ERR ? 'error' : v === true ? 'true' : 'false';
  } catch (err: unknown) {
    if (err instanceof Bail) return 'bail';
    return 'error';
  }
}

describe('compiled CEL fast path', () => {
  it('compiles every built-in condition', () => {
    for (const [id, condition] of conditions) expect(compileFast(env.parse(condition).ast, lists, functions), id).toBeDefined();
  });

  it('agrees with cel-js on every built-in condition over every fixture and sample event', () => {
    const events = corpus();
    expect(events.length).toBeGreaterThan(100);
    let compared = 0;
    for (const [id, condition] of conditions) {
      const parsed = env.parse(condition);
      const compiled = compileFast(parsed.ast, lists, functions);
      if (compiled === undefined) continue;
      for (const event of events) {
        const vars = activation(event, { previous: [event] });
        const want = interpreted(parsed, vars);
        const got = fast(compiled, vars);
        if (got === 'bail') continue;
        // cel-js errors and false both mean "no match"; the fast path must never say true when cel-js does not.
        expect(got === 'true', `${id} on ${event.auditID}: cel-js ${want}, fast ${got}`).toBe(want === 'true');
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it.each([
    ['false && missing', 'false && event.nope == 1', 'false'],
    ['missing && false', 'event.nope == 1 && false', 'false'],
    ['missing || true', 'event.nope == 1 || true', 'true'],
    ['missing alone', 'event.nope == 1', 'error'],
    ['optional default', 'event.?nope.?deeper.orValue(3) == 3', 'true'],
    ['has on present', 'has(event.verb)', 'true'],
    ['has on absent', 'has(event.nope)', 'false'],
    ['in list', 'event.verb in ["get", "list"]', 'true'],
    ['in constant', '"kube-system" in system_namespaces', 'true'],
    ['string compare', 'event.verb < "list"', 'true'],
    ['mixed compare', 'event.verb < 3', 'error'],
    ['exists absorbs errors when one is true', '[{"a": 1}, {}].exists(x, x.a == 1)', 'true'],
    ['all with an error and no false', '[{"a": 1}, {}].all(x, x.a == 1)', 'error'],
    ['size of string', 'size(event.verb) == 3', 'true'],
    ['concat', '"system:" + event.verb == "system:get"', 'true'],
    ['function with wrong type', 'isSystem(event.responseStatus)', 'error'],
    ['ternary', 'event.verb == "get" ? true : event.nope', 'true'],
  ])('%s', (_name, expression, expected) => {
    const [event] = expandEvents('sem', [{}]);
    const vars = activation(event!, { previous: [] });
    const parsed = env.parse(expression);
    const compiled = compileFast(parsed.ast, lists, functions);
    expect(compiled).toBeDefined();
    expect(fast(compiled!, vars)).toBe(expected);
    if (expected !== 'error') expect(interpreted(parsed, vars)).toBe(expected);
  });
});
