import { PolicyChecker } from './evaluate.js';
import { AUDIT_LEVELS, levelAtLeast, type AuditLevel, type AuditPolicy, type RequestAttributes } from './types.js';

/** One event of a real log, measured: its request, stage, size, and the sizes of the bodies it carries. */
export interface LoggedEvent {
  readonly attributes: RequestAttributes;
  readonly stage: string;
  /** Level the event was logged at. */
  readonly level: string;
  /** Size of the event as logged (bytes of its JSON line). */
  readonly bytes: number;
  /** Size of requestObject / responseObject, when the event carries them. */
  readonly requestBytes?: number;
  readonly responseBytes?: number;
  /** Long-running request (watch, exec, attach, port-forward, proxy, log): it also has a ResponseStarted stage. */
  readonly longRunning: boolean;
}

export interface LevelCost {
  requests: number;
  events: number;
  bytes: number;
}

export interface PolicyCost {
  /** The log as it is. */
  readonly logged: { readonly events: number; readonly bytes: number; readonly byLevel: Readonly<Record<string, LevelCost>> };
  /** What the policy would have recorded for the same requests. */
  readonly projected: { readonly events: number; readonly bytes: number; readonly byLevel: Readonly<Record<AuditLevel, LevelCost>> };
  /** Per deciding rule (index, or -1 for no rule). */
  readonly byRule: readonly { readonly rule: number; readonly level: AuditLevel; readonly cost: LevelCost }[];
  /** Events the policy would log with a body the log does not have (their size is a lower bound). */
  readonly missingBodies: number;
  /** Stage events the log does not have at all but the policy would write (estimated from the metadata size). */
  readonly estimatedStageEvents: number;
}

const empty = (): LevelCost => ({ requests: 0, events: 0, bytes: 0 });

/**
 * Replays a log through a policy: how many events and bytes each level would record. Bodies come from
 * the log, so a request logged at Metadata that the policy would log at Request counts only its
 * metadata (a lower bound, reported in missingBodies). When the log has no RequestReceived (or no
 * ResponseStarted) events at all, the ones the policy would add are estimated from each request's
 * metadata size.
 */
export class PolicyCostAccumulator {
  private readonly checker: PolicyChecker;
  private readonly logged: Record<string, LevelCost> = {};
  private readonly projected: Record<AuditLevel, LevelCost> = {
    None: empty(),
    Metadata: empty(),
    Request: empty(),
    RequestResponse: empty(),
  };
  private readonly byRule = new Map<number, { level: AuditLevel; cost: LevelCost }>();
  private loggedEvents = 0;
  private loggedBytes = 0;
  private missingBodies = 0;
  private sawReceived = false;
  private sawStarted = false;
  private readonly pendingReceived: { level: AuditLevel; rule: number; bytes: number }[] = [];
  private readonly pendingStarted: { level: AuditLevel; rule: number; bytes: number }[] = [];

  constructor(policy: AuditPolicy) {
    this.checker = new PolicyChecker(policy);
  }

  add(event: LoggedEvent): void {
    this.loggedEvents++;
    this.loggedBytes += event.bytes;
    const l = (this.logged[event.level] ??= empty());
    l.events++;
    l.bytes += event.bytes;
    const final = event.stage === 'ResponseComplete' || event.stage === 'Panic';
    if (final) l.requests++;
    if (event.stage === 'RequestReceived') this.sawReceived = true;
    if (event.stage === 'ResponseStarted') this.sawStarted = true;

    const decision = this.checker.evaluate(event.attributes);
    const rule = decision.rule ?? -1;
    let perRule = this.byRule.get(rule);
    if (perRule === undefined) {
      perRule = { level: decision.level, cost: empty() };
      this.byRule.set(rule, perRule);
    }
    const p = this.projected[decision.level];
    if (final) {
      p.requests++;
      perRule.cost.requests++;
    }
    if (decision.level === 'None') return;
    const meta = Math.max(0, event.bytes - (event.requestBytes ?? 0) - (event.responseBytes ?? 0));
    if (final) {
      // Stages the log never shows are estimated once per request, and counted if the log has none of that stage.
      if (!decision.omitStages.includes('RequestReceived')) this.pendingReceived.push({ level: decision.level, rule, bytes: meta });
      if (event.longRunning && !decision.omitStages.includes('ResponseStarted'))
        this.pendingStarted.push({ level: decision.level, rule, bytes: meta });
    }
    if (decision.omitStages.includes(event.stage as never)) return;
    let bytes = meta;
    if (levelAtLeast(decision.level, 'Request') && event.stage !== 'RequestReceived') {
      if (
        event.requestBytes === undefined &&
        (event.attributes.verb === 'create' || event.attributes.verb === 'update' || event.attributes.verb === 'patch')
      )
        this.missingBodies++;
      bytes += event.requestBytes ?? 0;
    }
    if (decision.level === 'RequestResponse' && final) {
      if (event.responseBytes === undefined) this.missingBodies++;
      bytes += event.responseBytes ?? 0;
    }
    p.events++;
    p.bytes += bytes;
    perRule.cost.events++;
    perRule.cost.bytes += bytes;
  }

  result(): PolicyCost {
    let estimated = 0;
    const apply = (list: { level: AuditLevel; rule: number; bytes: number }[]): void => {
      for (const x of list) {
        estimated++;
        this.projected[x.level].events++;
        this.projected[x.level].bytes += x.bytes;
        const r = this.byRule.get(x.rule);
        if (r !== undefined) {
          r.cost.events++;
          r.cost.bytes += x.bytes;
        }
      }
    };
    if (!this.sawReceived) apply(this.pendingReceived);
    if (!this.sawStarted) apply(this.pendingStarted);
    this.pendingReceived.length = 0;
    this.pendingStarted.length = 0;
    let events = 0;
    let bytes = 0;
    for (const level of AUDIT_LEVELS) {
      events += this.projected[level].events;
      bytes += this.projected[level].bytes;
    }
    return {
      logged: { events: this.loggedEvents, bytes: this.loggedBytes, byLevel: this.logged },
      projected: { events, bytes, byLevel: this.projected },
      byRule: [...this.byRule.entries()].sort((a, b) => a[0] - b[0]).map(([rule, v]) => ({ rule, level: v.level, cost: v.cost })),
      missingBodies: this.missingBodies,
      estimatedStageEvents: estimated,
    };
  }
}
