import { readFileSync } from 'node:fs';

import { parse } from 'yaml';

import type { Alert } from '../../core/alert.js';
import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import { builtinRuleFiles } from '../builtin-rules.js';
import { AuditContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { DetectionEngine, type EngineStats } from '../engine.js';
import { toAuditEvent, type AuditEvent } from '../event.js';
import { loadVigilRules, type RuleLoadResult } from '../vigil-rules.js';
import type { ContextHolder } from '../cel.js';

const BASE_TIME = Date.parse('2024-05-01T10:00:00Z');

/** The default event every fixture overlays. */
export function defaultEvent(): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    stage: 'ResponseComplete',
    verb: 'get',
    requestURI: '/api/v1/namespaces/default/pods/web-0',
    user: { username: 'alice', groups: ['developers', 'system:authenticated'] },
    sourceIPs: ['203.0.113.7'],
    userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/abc1234',
    objectRef: { resource: 'pods', namespace: 'default', name: 'web-0', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Overlay: objects merge key by key; arrays and scalars replace; `null` removes the key. */
export function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const removed = new Set(Object.entries(top).flatMap(([k, v]) => (v === null ? [k] : [])));
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(base).filter(([k]) => !removed.has(k)));
  for (const [k, v] of Object.entries(top)) {
    if (v === null) continue;
    if (isPlainObject(v) && isPlainObject(out[k])) out[k] = overlay(out[k], v);
    else out[k] = v;
  }
  return out;
}

function substitute(value: unknown, i: number): unknown {
  if (typeof value === 'string') return value.replaceAll('{i}', String(i));
  if (Array.isArray(value)) return value.map((v) => substitute(v, i));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, i)]));
  return value;
}

/** Expand a fixture case's events: overlays on the default, times, repeats, auditIDs. */
export function expandEvents(caseName: string, specs: readonly Record<string, unknown>[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  let time = BASE_TIME - 1000;
  let n = 0;
  for (const spec of specs) {
    const { at, repeat, every, ...rest } = spec;
    const times = typeof repeat === 'number' ? repeat : 1;
    const step = typeof every === 'string' ? (parseDuration(every) ?? 1000) : 1000;
    if (typeof at === 'string') time = BASE_TIME + (parseDuration(at) ?? 0) - step;
    for (let i = 0; i < times; i++) {
      time += step;
      const iso = new Date(time).toISOString().replace('Z', '000Z');
      const raw = overlay(
        { ...defaultEvent(), auditID: `${caseName}-${n++}`, requestReceivedTimestamp: iso, stageTimestamp: iso },
        substitute(rest, i) as Record<string, unknown>,
      );
      const event = toAuditEvent(JSON.parse(JSON.stringify(raw)));
      if ('error' in event) throw new Error(`fixture ${caseName}: ${event.error}`);
      out.push(event);
    }
  }
  return out;
}

export interface RuleFixtureCase {
  readonly name: string;
  readonly events: readonly Record<string, unknown>[];
  readonly context?: readonly Record<string, unknown>[];
}

export interface RuleFixture {
  readonly fire: readonly RuleFixtureCase[];
  readonly quiet: readonly RuleFixtureCase[];
}

export function readFixture(path: string): RuleFixture {
  const value = parse(readFileSync(path, 'utf8')) as Partial<RuleFixture> | null;
  return { fire: value?.fire ?? [], quiet: value?.quiet ?? [] };
}

let loaded: RuleLoadResult | undefined;
const holder: ContextHolder = {};

/** All built-in rules, loaded once per test file. */
export function builtinRules(): RuleLoadResult {
  loaded ??= loadVigilRules(builtinRuleFiles(), holder);
  return loaded;
}

/** Run a case through a fresh engine with every built-in rule. */
export function runCase(caseName: string, c: RuleFixtureCase): { alerts: Alert[]; stats: EngineStats } {
  holder.context =
    c.context === undefined
      ? undefined
      : new AuditContext(Inventory.from(c.context.map((object) => ({ object: object as unknown as KubeObject }))).inventory);
  const engine = new DetectionEngine(builtinRules().rules, { holder });
  const alerts: Alert[] = [];
  for (const event of expandEvents(caseName, c.events)) alerts.push(...engine.process(event));
  holder.context = undefined;
  return { alerts, stats: engine.stats };
}
