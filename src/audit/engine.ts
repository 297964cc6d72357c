import { createHash } from 'node:crypto';

import type { Alert } from '../core/alert.js';
import type { ResourceRef } from '../core/resource-ref.js';
import type { ContextHolder } from './cel.js';
import { targetOf, trustedSourceIP, type AuditEvent } from './event.js';
import { fieldReader, fieldText, type FieldValue } from './fields.js';
import { MatchIndex, type Candidate } from './match.js';
import { kindOfResource } from './resource-kinds.js';
import type { DetectionRule, FirstSeenState, RuleStep, StepContext, WindowState } from './rule.js';

export interface EngineOptions {
  /** Where conditions and enrichment find the cluster context (set `holder.context` any time). */
  readonly holder?: ContextHolder;
  /** Throttle alerts per rule and key (default true); exact duplicates are always dropped and counted. */
  readonly throttle?: boolean;
  /** Most keys one stateful rule keeps (windows, first-seen, sequences); the oldest are evicted and counted. */
  readonly maxStateKeys?: number;
  /** Cluster name to stamp on alerts. */
  readonly cluster?: string;
  /**
   * When first-seen learning periods start (ms since the epoch). Default: the time of the first event
   * this engine processes. The audit pipeline sets it to its stream's first event, so that every
   * partition learns over the same period as one process reading the whole stream.
   */
  readonly learningStart?: number;
}

/** What the engine did, so that nothing it held back goes unmentioned. */
export interface EngineStats {
  events: number;
  /** Conditions evaluated (after the match index). */
  evaluations: number;
  alerts: number;
  /** Alerts held back by throttling, per rule. */
  throttled: Record<string, number>;
  /** Alerts identical to one already raised (the same events through the same rule), per rule. */
  duplicates: Record<string, number>;
  /** Conditions that failed to evaluate (treated as no match), per rule. */
  conditionErrors: Record<string, number>;
  /** State keys dropped because a rule held more than maxStateKeys, per rule. */
  stateEvictions: Record<string, number>;
  /** Events without any timestamp (the time of the event before them was used). */
  untimedEvents: number;
}

interface WindowBucket {
  entries: { time: number; id: string; value: string }[];
}

interface SequenceProgress {
  step: number;
  start: number;
  events: AuditEvent[];
}

interface FirstSeenMemory {
  seen: Map<string, true>;
}

const NO_PREVIOUS: StepContext = { previous: [] };
// Shared by every event that raises nothing (most of them): callers only read it.
const NO_ALERTS: readonly Alert[] = Object.freeze([]);
const MAX_REMEMBERED_ALERTS = 50_000;
const SWEEP_EVERY = 10_000;
/**
 * How far behind the newest event state must be before a sweep drops it. A sweep is invisible to an
 * in-order stream (the state it drops has expired for every later event), but events also arrive out
 * of time order — batches from several API servers, receivers, a retried batch — and then one that
 * is late by less than this still finds the state an in-order stream would have kept. That keeps the
 * alerts independent of how unrelated keys interleave (one process, or the audit pipeline's lanes,
 * each of which sees its own interleaving) for events up to this late.
 */
const SWEEP_MARGIN_MS = 10 * 60_000;

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function keyReaders(fields: readonly string[]): (event: AuditEvent) => string {
  const readers = fields.map(fieldReader);
  if (readers.length === 0) return () => '';
  if (readers.length === 1) {
    const only = readers[0] as (e: AuditEvent) => FieldValue;
    return (e) => fieldText(only(e));
  }
  return (e) => readers.map((r) => fieldText(r(e))).join('\u0000');
}

/**
 * Runs detection rules over audit events, one event at a time: the match index picks the rule steps
 * that could apply, their compiled conditions run, stateful rules (rate windows, first-seen,
 * sequences) keep bounded per-key state in event time, and alerts are de-duplicated and throttled per
 * rule and key. Synchronous and allocation-light: the hot path is one cache lookup per event.
 */
export class DetectionEngine {
  readonly rules: readonly DetectionRule[];
  private readonly index: MatchIndex;
  private readonly holder: ContextHolder;
  private readonly throttleOn: boolean;
  private readonly maxStateKeys: number;
  private readonly cluster: string | undefined;
  private readonly stepKeys: ((e: AuditEvent) => string)[][];
  private readonly stateKeys: ((e: AuditEvent) => string)[];
  private readonly throttleKeys: ((e: AuditEvent) => string)[];
  private readonly distinctReaders: (((e: AuditEvent) => string) | undefined)[];
  private readonly windows = new Map<number, Map<string, WindowBucket>>();
  private readonly sequences = new Map<number, Map<string, SequenceProgress>>();
  private readonly firstSeen = new Map<number, FirstSeenMemory>();
  private readonly throttles = new Map<string, { until: number; held: number }>();
  private readonly raised = new Set<string>();
  private clock = Number.NaN;
  private firstTime = Number.NaN;
  private sinceSweep = 0;
  readonly stats: EngineStats = {
    events: 0,
    evaluations: 0,
    alerts: 0,
    throttled: {},
    duplicates: {},
    conditionErrors: {},
    stateEvictions: {},
    untimedEvents: 0,
  };

  constructor(rules: readonly DetectionRule[], options: EngineOptions = {}) {
    this.rules = rules;
    this.index = new MatchIndex(rules);
    this.holder = options.holder ?? {};
    this.throttleOn = options.throttle ?? true;
    this.maxStateKeys = options.maxStateKeys ?? 100_000;
    this.cluster = options.cluster;
    if (options.learningStart !== undefined && Number.isFinite(options.learningStart)) this.firstTime = options.learningStart;
    this.stepKeys = rules.map((r) => r.steps.map((s) => keyReaders(s.by)));
    this.stateKeys = rules.map((r) => keyReaders(r.state?.kind === 'window' || r.state?.kind === 'first-seen' ? r.state.by : []));
    this.throttleKeys = rules.map((r) => keyReaders(r.throttle.by));
    this.distinctReaders = rules.map((r) =>
      r.state?.kind === 'window' && r.state.distinct !== undefined ? keyReaders([r.state.distinct]) : undefined,
    );
  }

  /** Run every rule on one event; returns the alerts it raised (usually none). */
  process(event: AuditEvent): readonly Alert[] {
    this.stats.events++;
    let time = event.time;
    if (Number.isNaN(time)) {
      this.stats.untimedEvents++;
      time = Number.isNaN(this.clock) ? Date.now() : this.clock;
    }
    if (Number.isNaN(this.firstTime)) this.firstTime = time;
    if (!(time <= this.clock)) this.clock = time;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
    const candidates = this.index.candidates(event);
    if (candidates.length === 0) return NO_ALERTS;
    let alerts: Alert[] | undefined;
    let order: number[] | undefined;
    let firstMatchGroup = false;
    // Later steps first, so that an event never completes a sequence it has just started.
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i] as Candidate;
      if (c.rule.firstMatch === true && c.rule.state === undefined) {
        firstMatchGroup = true;
        continue;
      }
      if (!MatchIndex.detailMatches(c, event)) continue;
      const alert = this.runCandidate(c, event, time);
      if (alert === undefined) continue;
      (alerts ??= []).push(alert);
      (order ??= []).push(c.ruleIndex);
    }
    // Report in rule order (candidates ran in reverse).
    if (alerts !== undefined && alerts.length > 1) {
      alerts.reverse();
      order?.reverse();
    }
    if (firstMatchGroup) {
      const first = this.runFirstMatch(candidates, event, time);
      if (first !== undefined) {
        alerts ??= [];
        const at = (order ?? []).findIndex((r) => r > first.ruleIndex);
        alerts.splice(at === -1 ? alerts.length : at, 0, first.alert);
      }
    }
    return alerts ?? NO_ALERTS;
  }

  /**
   * Falco's `rule_matching: first`: the first rule of the first-match group (in rule order) whose
   * condition matches decides the event; the rules after it are not evaluated.
   */
  private runFirstMatch(
    candidates: readonly Candidate[],
    event: AuditEvent,
    time: number,
  ): { alert: Alert; ruleIndex: number } | undefined {
    for (const c of candidates) {
      if (c.rule.firstMatch !== true || c.rule.state !== undefined) continue;
      if (!MatchIndex.detailMatches(c, event)) continue;
      if (!this.test(c.rule, c.rule.steps[c.step] as RuleStep, event, NO_PREVIOUS)) continue;
      const alert = this.raise(c.ruleIndex, [event], event, time);
      return alert === undefined ? undefined : { alert, ruleIndex: c.ruleIndex };
    }
    return undefined;
  }

  private test(rule: DetectionRule, step: RuleStep, event: AuditEvent, context: StepContext): boolean {
    if (step.condition === undefined) return true;
    this.stats.evaluations++;
    const result = step.condition(event, context);
    if (result === true) return true;
    if (result !== false) bump(this.stats.conditionErrors, rule.id);
    return false;
  }

  private runCandidate(c: Candidate, event: AuditEvent, time: number): Alert | undefined {
    const rule = c.rule;
    const state = rule.state;
    if (state?.kind === 'sequence') return this.runSequence(c, event, time, state.withinMs);
    if (!this.test(rule, rule.steps[c.step] as RuleStep, event, NO_PREVIOUS)) return undefined;
    if (state === undefined) return this.raise(c.ruleIndex, [event], event, time);
    if (state.kind === 'window') return this.runWindow(c.ruleIndex, state, event, time);
    return this.runFirstSeen(c.ruleIndex, state, event, time);
  }

  private stateMap<T>(maps: Map<number, Map<string, T>>, ruleIndex: number): Map<string, T> {
    let map = maps.get(ruleIndex);
    if (map === undefined) {
      map = new Map();
      maps.set(ruleIndex, map);
    }
    return map;
  }

  private admitKey<T>(map: Map<string, T>, ruleIndex: number): void {
    if (map.size < this.maxStateKeys) return;
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
    bump(this.stats.stateEvictions, (this.rules[ruleIndex] as DetectionRule).id);
  }

  private runWindow(ruleIndex: number, state: WindowState, event: AuditEvent, time: number): Alert | undefined {
    const buckets = this.stateMap(this.windows, ruleIndex);
    const key = (this.stateKeys[ruleIndex] as (e: AuditEvent) => string)(event);
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      this.admitKey(buckets, ruleIndex);
      bucket = { entries: [] };
      buckets.set(key, bucket);
    }
    const since = time - state.withinMs;
    const entries = bucket.entries;
    let drop = 0;
    while (drop < entries.length && (entries[drop] as { time: number }).time < since) drop++;
    if (drop > 0) entries.splice(0, drop);
    const distinct = this.distinctReaders[ruleIndex];
    const value = distinct === undefined ? '' : distinct(event);
    if (distinct !== undefined) {
      // Only the latest event per distinct value counts; an older one with the same value gives way.
      const same = entries.findIndex((e) => e.value === value);
      if (same !== -1) entries.splice(same, 1);
    }
    entries.push({ time, id: event.auditID, value });
    if (entries.length < state.count) return undefined;
    buckets.delete(key);
    const ids = entries.map((e) => e.id);
    return this.raise(ruleIndex, [event], event, time, ids, {
      count: entries.length,
      ...(distinct === undefined ? {} : { distinct: entries.map((e) => e.value).join(',') }),
    });
  }

  private runFirstSeen(ruleIndex: number, state: FirstSeenState, event: AuditEvent, time: number): Alert | undefined {
    let memory = this.firstSeen.get(ruleIndex);
    if (memory === undefined) {
      memory = { seen: new Map() };
      this.firstSeen.set(ruleIndex, memory);
    }
    const key = (this.stateKeys[ruleIndex] as (e: AuditEvent) => string)(event);
    if (memory.seen.has(key)) return undefined;
    this.admitKey(memory.seen, ruleIndex);
    memory.seen.set(key, true);
    if (time < this.firstTime + state.learningMs) return undefined;
    return this.raise(ruleIndex, [event], event, time);
  }

  private runSequence(c: Candidate, event: AuditEvent, time: number, withinMs: number): Alert | undefined {
    const rule = c.rule;
    const progress = this.stateMap(this.sequences, c.ruleIndex);
    const key = (this.stepKeys[c.ruleIndex]?.[c.step] as (e: AuditEvent) => string)(event);
    const step = rule.steps[c.step] as RuleStep;
    if (c.step === 0) {
      if (!this.test(rule, step, event, NO_PREVIOUS)) return undefined;
      if (!progress.has(key)) this.admitKey(progress, c.ruleIndex);
      progress.delete(key);
      progress.set(key, { step: 0, start: time, events: [event] });
      return undefined;
    }
    const current = progress.get(key);
    if (current?.step !== c.step - 1) return undefined;
    if (time - current.start > withinMs) {
      progress.delete(key);
      return undefined;
    }
    if (!this.test(rule, step, event, { previous: current.events })) return undefined;
    if (c.step < rule.steps.length - 1) {
      current.step = c.step;
      current.events.push(event);
      return undefined;
    }
    progress.delete(key);
    const events = [...current.events, event];
    return this.raise(c.ruleIndex, events, event, time);
  }

  /** Drop state that can no longer matter (windows and sequences older than their span, and the sweep margin). */
  private sweep(): void {
    this.sinceSweep = 0;
    const horizon = this.clock - SWEEP_MARGIN_MS;
    for (const [ruleIndex, buckets] of this.windows) {
      const state = (this.rules[ruleIndex] as DetectionRule).state as WindowState;
      for (const [key, bucket] of buckets) if ((bucket.entries.at(-1)?.time ?? 0) < horizon - state.withinMs) buckets.delete(key);
    }
    for (const [ruleIndex, progress] of this.sequences) {
      const state = (this.rules[ruleIndex] as DetectionRule).state;
      const within = state?.kind === 'sequence' ? state.withinMs : 0;
      for (const [key, p] of progress) if (p.start < horizon - within) progress.delete(key);
    }
    for (const [key, t] of this.throttles) if (t.until < horizon && t.held === 0) this.throttles.delete(key);
  }

  private raise(
    ruleIndex: number,
    events: readonly AuditEvent[],
    last: AuditEvent,
    time: number,
    auditIDs: readonly string[] = uniqueIds(events),
    extra: Record<string, string | number> = {},
  ): Alert | undefined {
    const rule = this.rules[ruleIndex] as DetectionRule;
    // The de-duplication key is the same identity as the alert id, without hashing every candidate.
    const dedupKey = `${ruleIndex}\u0000${auditIDs.length === 1 ? (auditIDs[0] as string) : [...auditIDs].sort().join(',')}`;
    if (this.raised.has(dedupKey)) {
      bump(this.stats.duplicates, rule.id);
      return undefined;
    }
    if (this.raised.size >= MAX_REMEMBERED_ALERTS) {
      const oldest = this.raised.values().next();
      if (oldest.done !== true) this.raised.delete(oldest.value);
    }
    this.raised.add(dedupKey);
    let held = 0;
    if (this.throttleOn && rule.throttle.windowMs > 0) {
      const key = `${ruleIndex}\u0000${(this.throttleKeys[ruleIndex] as (e: AuditEvent) => string)(last)}`;
      const entry = this.throttles.get(key);
      if (entry !== undefined && time < entry.until) {
        entry.held++;
        bump(this.stats.throttled, rule.id);
        return undefined;
      }
      held = entry?.held ?? 0;
      this.throttles.set(key, { until: time + rule.throttle.windowMs, held: 0 });
    }
    this.stats.alerts++;
    return this.buildAlert(rule, alertId(rule.id, auditIDs), events, last, time, auditIDs, {
      ...extra,
      ...(held > 0 ? { throttledBefore: held } : {}),
    });
  }

  private buildAlert(
    rule: DetectionRule,
    id: string,
    events: readonly AuditEvent[],
    last: AuditEvent,
    time: number,
    auditIDs: readonly string[],
    extra: Record<string, string | number>,
  ): Alert {
    const ref = last.objectRef;
    const fields: Record<string, string | number | boolean> = {
      auditID: last.auditID,
      verb: last.verb,
      stage: last.stage,
      target: targetOf(last),
      sourceIP: trustedSourceIP(last),
      ...(last.code === 0 ? {} : { code: last.code }),
      ...(last.userAgent === '' ? {} : { userAgent: last.userAgent }),
      ...(last.impersonatedUser === undefined ? {} : { authenticatedUser: last.user.username }),
      ...(events.length > 1 ? { events: events.length } : {}),
      ...extra,
    };
    const context = this.holder.context;
    if (context !== undefined) {
      const actorWorkloads = context.workloadsOf(last.actor.username);
      if (actorWorkloads.length > 0) fields['actor.workload'] = actorWorkloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ');
      if (ref?.resource === 'pods' && ref.name !== '') {
        const workload = context.workloadOfPod(ref.namespace, ref.name);
        if (workload !== undefined) {
          fields['target.workload'] = `${workload.kind} ${workload.namespace}/${workload.name}`;
          fields['target.privileged'] = workload.privileged;
        }
      }
    }
    const name = ref === undefined ? '' : fieldText(fieldReader('name')(last));
    const resource: ResourceRef | undefined =
      ref === undefined || name === ''
        ? undefined
        : {
            apiVersion: ref.apiGroup === '' ? ref.apiVersion || 'v1' : `${ref.apiGroup}/${ref.apiVersion || 'v1'}`,
            kind: kindOfResource(ref.resource),
            ...(ref.namespace === '' ? {} : { namespace: ref.namespace }),
            name,
          };
    if (rule.outputFields !== undefined) Object.assign(fields, rule.outputFields(last));
    return {
      id,
      rule: rule.id,
      source: rule.source,
      severity: rule.severity,
      ...(rule.priority === undefined ? {} : { priority: rule.priority }),
      title: rule.title,
      output: rule.output(last, { ...extra, events: events.length }),
      time: new Date(time).toISOString(),
      ...(rule.mitre.length > 0 ? { mitre: rule.mitre } : {}),
      ...(resource === undefined ? {} : { resource }),
      user: last.actor.username,
      ...(last.sourceIPs.length > 0 ? { sourceIPs: last.sourceIPs } : {}),
      auditIDs,
      ...(this.cluster === undefined ? {} : { cluster: this.cluster }),
      fields,
    };
  }
}

function uniqueIds(events: readonly AuditEvent[]): string[] {
  return [...new Set(events.map((e) => e.auditID))];
}

/** Same rule, same events: same id (Alert.id is an idempotency key). */
export function alertId(rule: string, auditIDs: readonly string[]): string {
  return createHash('sha256')
    .update(rule)
    .update('\u0000')
    .update([...auditIDs].sort().join(','))
    .digest('hex')
    .slice(0, 32);
}
