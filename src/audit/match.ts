import { pathMatches, resourcePatternMatches } from '../analysis/audit-policy/evaluate.js';
import type { AuditEvent } from './event.js';
import type { DetectionRule, EventMatch } from './rule.js';

/**
 * The part of a match that depends only on what kind of request it is (stage, verb, group, resource,
 * subresource or URL, response code), so that its answer can be cached per kind of request.
 */
function matchesShape(match: EventMatch, event: AuditEvent): boolean {
  if (!(match.stages as readonly string[]).includes(event.stage)) return false;
  if (match.verbs.length > 0 && !match.verbs.includes(event.verb)) return false;
  if (match.succeeded && !(event.code >= 100 && event.code < 400)) return false;
  if (match.codes.length > 0 && !match.codes.includes(event.code)) return false;
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

/** The per-event part: namespaces, users, groups and resource names (plain loops: this runs per event). */
function matchesDetail(match: EventMatch, event: AuditEvent): boolean {
  if (match.impersonated && event.impersonatedUser === undefined) return false;
  if (match.namespaces.length > 0 && !match.namespaces.includes(event.objectRef?.namespace ?? '')) return false;
  if (match.users.length > 0 && !match.users.includes(event.actor.username)) return false;
  if (match.userGroups.length > 0) {
    let member = false;
    for (const g of event.actor.groups) {
      if (match.userGroups.includes(g)) {
        member = true;
        break;
      }
    }
    if (!member) return false;
  }
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
const NO_CANDIDATES: readonly Candidate[] = Object.freeze([]);

/** A key no group name can be (the core group is "", not this). */
const NON_RESOURCE = Symbol('non-resource');

type Level = Map<unknown, unknown>;

function step(level: Level, key: unknown): Level {
  let next = level.get(key) as Level | undefined;
  if (next === undefined) {
    next = new Map();
    level.set(key, next);
  }
  return next;
}

function pathOf(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}

/**
 * Finds the rule steps that could match an event without looking at any rule that cannot: the answer
 * for each kind of request (stage, verb, group, resource, subresource, or URL path) is computed once
 * and cached, so most events cost one map lookup before any condition runs.
 */
export class MatchIndex {
  private readonly entries: Candidate[] = [];
  private readonly root = new Map<unknown, unknown>();
  private cached = 0;

  constructor(rules: readonly DetectionRule[]) {
    rules.forEach((rule, ruleIndex) => {
      if (!rule.enabled) return;
      rule.steps.forEach((step, i) => {
        const m = step.match;
        const detail =
          m.impersonated ||
          m.namespaces.length > 0 ||
          m.users.length > 0 ||
          m.userGroups.length > 0 ||
          m.resources.some((gr) => gr.resourceNames.length > 0);
        this.entries.push({ rule, ruleIndex, step: i, match: m, detail });
      });
    });
  }

  /** The candidate steps for an event, in rule order. */
  candidates(event: AuditEvent): readonly Candidate[] {
    // Nested maps (stage → code → verb → group → resource → subresource, or → path for non-resource
    // requests) rather than one concatenated key: nothing is allocated on the hot path.
    const ref = event.objectRef;
    let level = step(this.root, event.stage);
    level = step(level, event.code);
    level = step(level, event.verb);
    let lastKey: string;
    if (ref === undefined) {
      level = step(level, NON_RESOURCE);
      lastKey = pathOf(event.requestURI);
    } else {
      level = step(step(level, ref.apiGroup), ref.resource);
      lastKey = ref.subresource;
    }
    let shaped = level.get(lastKey) as readonly Candidate[] | undefined;
    if (shaped === undefined) {
      if (++this.cached > MAX_CACHED_SHAPES) {
        this.root.clear();
        this.cached = 0;
        return this.candidates(event);
      }
      shaped = this.entries.filter((c) => matchesShape(c.match, event));
      level.set(lastKey, shaped.length === 0 ? NO_CANDIDATES : shaped);
    }
    return shaped;
  }

  /** Whether a candidate's per-event match part holds. */
  static detailMatches(candidate: Candidate, event: AuditEvent): boolean {
    return !candidate.detail || matchesDetail(candidate.match, event);
  }
}
