import { describe, expect, it } from 'vitest';

import { DetectionEngine } from './engine.js';
import { toAuditEvent, type AuditEvent } from './event.js';
import { expandEvents } from './test-support/rule-harness.js';
import { loadVigilRules } from './vigil-rules.js';

function rules(yaml: string): ReturnType<typeof loadVigilRules> {
  return loadVigilRules([{ file: 'test.yaml', text: yaml }]);
}

function engineOf(yaml: string, options: ConstructorParameters<typeof DetectionEngine>[1] = {}): DetectionEngine {
  const loaded = rules(yaml);
  expect(loaded.problems).toEqual([]);
  return new DetectionEngine(loaded.rules, options);
}

const EXEC_RULE = `
rules:
  - id: exec
    title: Exec
    severity: high
    mitre: [T1609]
    match:
      resources: [{ resources: [pods/exec] }]
      stages: [ResponseStarted, ResponseComplete]
    output: '{actor.name} exec {target} {exec.command}'
`;

const exec = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  verb: 'create',
  stage: 'ResponseStarted',
  requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=web',
  objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0' },
  responseStatus: { code: 101 },
  ...over,
});

describe('DetectionEngine', () => {
  it('gives one alert for the stages of one request (same auditID), counting the duplicate', () => {
    const engine = engineOf(EXEC_RULE);
    const [started] = expandEvents('dup', [exec()]);
    const completed = { ...started!, stage: 'ResponseComplete' };
    expect(engine.process(started!)).toHaveLength(1);
    expect(engine.process(completed)).toEqual([]);
    expect(engine.stats.duplicates).toEqual({ exec: 1 });
  });

  it('throttles per rule and key, and says how many were held back', () => {
    const engine = engineOf(EXEC_RULE.replace('output:', 'throttle: { window: 10m, by: [actor.name] }\n    output:'));
    const events = expandEvents('throttle', [exec({ repeat: 5, every: '1m' }), exec({ at: '20m' })]);
    const alerts = events.flatMap((e) => engine.process(e));
    expect(alerts).toHaveLength(2);
    expect(engine.stats.throttled).toEqual({ exec: 4 });
    expect(alerts[1]?.fields?.throttledBefore).toBe(4);
    // Without throttling every request is its own alert.
    const open = engineOf(EXEC_RULE, { throttle: false });
    expect(events.flatMap((e) => open.process(e))).toHaveLength(6);
  });

  it('builds alerts with the actor, resource, MITRE ids and the rendered output', () => {
    const engine = engineOf(EXEC_RULE);
    const [event] = expandEvents('shape', [exec({ impersonatedUser: { username: 'bob', groups: [] } })]);
    const [alert] = engine.process(event!);
    expect(alert).toMatchObject({
      rule: 'exec',
      source: 'vigil',
      severity: 'high',
      mitre: ['T1609'],
      user: 'bob',
      output: 'bob exec shop/web-0 sh',
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-0' },
      auditIDs: ['shape-0'],
      fields: { authenticatedUser: 'alice', auditID: 'shape-0', code: 101 },
    });
    expect(alert?.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts events in a rate window per key and lists them in the alert', () => {
    const engine = engineOf(`
rules:
  - id: denied
    title: Denied
    severity: medium
    mitre: [T1110]
    match: {}
    condition: event.responseStatus.code == 403
    window: { count: 3, within: 1m, by: [sourceIP] }
    output: '{sourceIP} denied {count} times'
`);
    const events = expandEvents('window', [
      { responseStatus: { code: 403 }, sourceIPs: ['1.1.1.1'], repeat: 2, every: '10s' },
      { responseStatus: { code: 403 }, sourceIPs: ['2.2.2.2'] },
      { responseStatus: { code: 200 }, sourceIPs: ['1.1.1.1'] },
      { responseStatus: { code: 403 }, sourceIPs: ['1.1.1.1'] },
    ]);
    const alerts = events.flatMap((e) => engine.process(e));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.output).toBe('1.1.1.1 denied 3 times');
    expect(alerts[0]?.auditIDs).toEqual(['window-0', 'window-1', 'window-4']);
    // Outside the window the count starts again.
    const late = expandEvents('late', [{ responseStatus: { code: 403 }, repeat: 3, every: '40s' }]);
    const engine2 = engineOf(`
rules:
  - id: denied
    title: Denied
    severity: medium
    match: {}
    condition: event.responseStatus.code == 403
    window: { count: 3, within: 1m, by: [sourceIP] }
    output: x
`);
    expect(late.flatMap((e) => engine2.process(e))).toEqual([]);
  });

  it('gives the same alerts however unrelated keys interleave, for events minutes late', () => {
    const yaml = `
rules:
  - id: denied
    title: Denied
    severity: medium
    match: { codes: [403] }
    window: { count: 4, within: 1m, by: [sourceIP] }
    output: x
`;
    const at = (ms: number): string => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const denied = (id: string, ip: string, ms: number): AuditEvent => {
      const e = toAuditEvent({
        auditID: id,
        verb: 'get',
        stage: 'ResponseComplete',
        sourceIPs: [ip],
        responseStatus: { code: 403 },
        stageTimestamp: at(ms),
      });
      if ('error' in e) throw new Error(e.error);
      return e;
    };
    const scan = [0, 10, 20, 30].map((s) => denied(`a-${s}`, '10.0.0.1', s * 1000));
    // Enough traffic from elsewhere, 5 minutes ahead, for the engine to sweep its state.
    const elsewhere = Array.from({ length: 12_000 }, (_, i) => denied(`b-${i}`, `10.1.${i >> 8}.${i & 255}`, 300_000 + i));
    const ids = (events: readonly AuditEvent[]): string[] => {
      const engine = engineOf(yaml);
      return events
        .flatMap((e) => engine.process(e))
        .filter((a) => a.auditIDs?.[0]?.startsWith('a-'))
        .map((a) => a.id);
    };
    const inOrder = ids([...scan, ...elsewhere]);
    expect(inOrder).toHaveLength(1);
    // The scan's last two events arrive after the others (their batch came late): same alert.
    expect(ids([...scan.slice(0, 2), ...elsewhere, ...scan.slice(2)])).toEqual(inOrder);
  });

  it('counts distinct values when the window says distinct', () => {
    const engine = engineOf(`
rules:
  - id: enum
    title: Enumeration
    severity: medium
    match: { verbs: [list] }
    window: { count: 3, within: 1m, by: [actor.name], distinct: resource }
    output: '{actor.name} listed {distinct}'
`);
    const events = expandEvents('distinct', [
      { verb: 'list', objectRef: { resource: 'pods' } },
      { verb: 'list', objectRef: { resource: 'pods' } },
      { verb: 'list', objectRef: { resource: 'secrets' } },
      { verb: 'list', objectRef: { resource: 'pods' } },
      { verb: 'list', objectRef: { resource: 'nodes' } },
    ]);
    const alerts = events.flatMap((e) => engine.process(e));
    expect(alerts.map((a) => a.output)).toEqual(['alice listed secrets,pods,nodes']);
  });

  it('evicts the oldest state keys beyond the bound and counts them', () => {
    const engine = engineOf(
      `
rules:
  - id: denied
    title: Denied
    severity: medium
    match: {}
    window: { count: 2, within: 1h, by: [sourceIP] }
    output: x
`,
      { maxStateKeys: 10 },
    );
    for (const e of expandEvents('evict', [{ sourceIPs: ['10.0.0.{i}'], repeat: 25 }])) engine.process(e);
    expect(engine.stats.stateEvictions).toEqual({ denied: 15 });
  });

  it('counts condition errors per rule and treats them as no match', () => {
    const engine = engineOf(`
rules:
  - id: fragile
    title: Fragile
    severity: low
    match: {}
    condition: event.objectRef.subresource == "exec"
    output: x
`);
    for (const e of expandEvents('errors', [{ repeat: 3 }])) expect(engine.process(e)).toEqual([]);
    expect(engine.stats.conditionErrors).toEqual({ fragile: 3 });
  });

  it('uses the event before an untimed event for its time', () => {
    const engine = engineOf(EXEC_RULE);
    const [timed, untimed] = expandEvents('untimed', [{}, exec({ stageTimestamp: null, requestReceivedTimestamp: null })]);
    engine.process(timed!);
    const [alert] = engine.process(untimed!);
    expect(alert?.time).toBe('2024-05-01T10:00:00.000Z');
    expect(engine.stats.untimedEvents).toBe(1);
  });
});

describe('rule loading', () => {
  it('reports a bad rule with file and line and keeps the others', () => {
    const loaded = rules(`
rules:
  - id: good
    title: Good
    severity: low
    match: {}
    output: x
  - id: bad-cel
    title: Bad
    severity: low
    match: {}
    condition: event.verb ==
    output: x
  - id: Bad_Id
    title: Bad
    severity: low
    match: {}
    output: x
  - id: unknown-field
    title: Bad
    severity: low
    match: { verb: [get] }
    output: x
  - id: bad-output
    title: Bad
    severity: low
    match: {}
    output: '{actr.name}'
`);
    expect(loaded.rules.map((r) => r.id)).toEqual(['good']);
    expect(loaded.problems.map((p) => [p.location.line, p.message.slice(0, 40)])).toEqual([
      [8, 'rule bad-cel: condition does not compile'],
      [14, 'rule Bad_Id: expected a kebab-case id su'],
      [22, 'rule unknown-field: Unrecognized key: "v'],
      [24, 'rule bad-output: output names unknown fi'],
    ]);
  });

  it('infers the audit level a rule needs from what it reads', () => {
    const loaded = rules(`
rules:
  - { id: meta, title: M, severity: low, match: {}, condition: 'event.verb == "get"', output: x }
  - { id: body, title: B, severity: low, match: {}, condition: 'has(object.spec)', output: x }
  - { id: resp, title: R, severity: low, match: {}, condition: 'has(event.responseObject.status)', output: x }
  - { id: tmpl, title: T, severity: low, match: {}, output: '{requestObject.spec.nodeName}' }
`);
    expect(loaded.rules.map((r) => [r.id, r.requires.level])).toEqual([
      ['meta', 'Metadata'],
      ['body', 'Request'],
      ['resp', 'RequestResponse'],
      ['tmpl', 'Request'],
    ]);
  });

  it('lets a later file replace a rule by id, with a warning', () => {
    const loaded = loadVigilRules([
      { file: 'a.yaml', text: 'rules:\n  - { id: x, title: A, severity: low, match: {}, output: a }\n' },
      { file: 'b.yaml', text: 'rules:\n  - { id: x, title: B, severity: high, match: {}, output: b }\n' },
    ]);
    expect(loaded.rules.map((r) => r.title)).toEqual(['B']);
    expect(loaded.problems).toEqual([expect.objectContaining({ level: 'warning', location: { file: 'b.yaml', line: 2 } })]);
  });
});

describe('rule files', () => {
  it('refuse an unquoted condition that YAML reads as a tag', () => {
    const loaded = rules(
      'rules:\n  - id: x\n    title: X\n    severity: low\n    match: {}\n    condition: !isSystem(actor.username)\n    output: x\n',
    );
    expect(loaded.rules).toEqual([]);
    expect(loaded.problems[0]?.message).toContain('YAML tag');
    expect(loaded.problems[0]?.location.line).toBe(6);
  });
});
