import { pathMatches, resourcePatternMatches } from '../analysis/audit-policy/evaluate.js';
import type { AuditEvent } from './event.js';
import type { DetectionRule, EventMatch } from './rule.js';

/**
 * The part of a match that depends only on what kind of request it is (stage, verb, group, resource,
 * subresource or URL), so that its answer can be cached per kind of request.
 */
function matchesShape(match: EventMatch, event: AuditEvent): boolean {
  if (!(match.stages as readonly string[]).includes(event.stage)) return false;
  if (match.verbs.length > 0 && !match.verbs.includes(event.verb)) return false;
  const ref = event.objectRef;
  if (match.resources.length > 0 || match.namespaces.length > 0) {
    if (ref === undefined) return false;
    if (match.resources.length === 0) return true;
    const combined = ref.subresource === '' ? ref.resource : `${ref.resource}/${ref.subresource}`;
    return match.resources.some(
      (gr) =>
        (gr.group === ref.apiGroup || gr.group === '*') &&
        (gr.resources.length === 0 || gr.resources.some((p) => resourcePatternMatches(p, ref.resource, ref.subresource, combined))),
    );
  }
  if (match.nonResourceURLs.length > 0) {
    if (ref !== undefined) return false;
    const q = event.requestURI.indexOf('?');
    const path = q === -1 ? event.requestURI : event.requestURI.slice(0, q);
    return match.nonResourceURLs.some((spec) => pathMatches(path, spec));
  }
  return true;
}

/** The per-event part: namespaces, users, groups and resource names. */
function matchesDetail(match: EventMatch, event: AuditEvent): boolean {
  if (match.namespaces.length > 0 && !match.namespaces.includes(event.objectRef?.namespace ?? '')) return false;
  if (match.users.length > 0 && !match.users.includes(event.actor.username)) return false;
  if (match.userGroups.length > 0 && !event.actor.groups.some((g) => match.userGroups.includes(g))) return false;
  const ref = event.objectRef;
  if (ref !== undefined) {
    for (const gr of match.resources) if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(ref.name)) return false;
  }
  return true;
}

/** True when the event is one the match selects. */
export function eventMatches(match: EventMatch, event: AuditEvent): boolean {
  return matchesShape(match, event) && matchesDetail(match, event);
}

/** A rule step that may apply to an event. */
export interface Candidate {
  readonly rule: DetectionRule;
  readonly ruleIndex: number;
  readonly step: number;
  readonly match: EventMatch;
  /** Whether the per-event part needs checking (namespaces, users, groups, resource names are set). */
  readonly detail: boolean;
}

const MAX_CACHED_SHAPES = 20_000;

/**
 * Finds the rule steps that could match an event without looking at any rule that cannot: the answer
 * for each kind of request (stage, verb, group, resource, subresource, or URL path) is computed once
 * and cached, so most events cost one map lookup before any condition runs.
 */
export class MatchIndex {
  private readonly entries: Candidate[] = [];
  private readonly cache = new Map<string, readonly Candidate[]>();

  constructor(rules: readonly DetectionRule[]) {
    rules.forEach((rule, ruleIndex) => {
      if (!rule.enabled) return;
      rule.steps.forEach((step, i) => {
        const m = step.match;
        const detail =
          m.namespaces.length > 0 || m.users.length > 0 || m.userGroups.length > 0 || m.resources.some((gr) => gr.resourceNames.length > 0);
        this.entries.push({ rule, ruleIndex, step: i, match: m, detail });
      });
    });
  }

  /** The candidate steps for an event, in rule order. */
  candidates(event: AuditEvent): readonly Candidate[] {
    const ref = event.objectRef;
    let key: string;
    if (ref === undefined) {
      const q = event.requestURI.indexOf('?');
      key = `${event.stage}\u0000${event.verb}\u0000\u0000${q === -1 ? event.requestURI : event.requestURI.slice(0, q)}`;
    } else {
      key = `${event.stage}\u0000${event.verb}\u0000${ref.apiGroup}\u0000${ref.resource}\u0000${ref.subresource}`;
    }
    let shaped = this.cache.get(key);
    if (shaped === undefined) {
      shaped = this.entries.filter((c) => matchesShape(c.match, event));
      if (this.cache.size >= MAX_CACHED_SHAPES) this.cache.clear();
      this.cache.set(key, shaped);
    }
    return shaped;
  }

  /** Whether a candidate's per-event match part holds. */
  static detailMatches(candidate: Candidate, event: AuditEvent): boolean {
    return !candidate.detail || matchesDetail(candidate.match, event);
  }
}
