import type { Environment } from '@marcbachmann/cel-js';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

import { AUDIT_LEVELS, AUDIT_STAGES, levelRank, type AuditLevel } from '../analysis/audit-policy/types.js';
import type { InputProblem } from '../core/errors.js';
import { pointerOf } from '../core/json-pointer.js';
import { SEVERITIES } from '../core/severity.js';
import { isRecord } from '../k8s/guards.js';
import { LineIndex } from '../sources/line-index.js';
import type { PositionIndex } from '../sources/positions.js';
import { parseYamlStream } from '../sources/yaml-documents.js';
import { auditCelEnvironment, auditFunctions, compileCondition, type AuditFunction, type ContextHolder } from './cel.js';
import { parseDuration } from './duration.js';
import { DEFAULT_STAGES, type DetectionRule, type EventMatch, type RuleState, type RuleStep } from './rule.js';
import { compileTemplate, unknownTemplateFields } from './template.js';

const duration = z.string().refine((s) => parseDuration(s) !== undefined, 'expected a duration such as 30s, 10m, 1h or 7d');
const names = z.array(z.string().min(1));

const groupResourcesSchema = z
  .object({ group: z.string().default(''), resources: names.default([]), resourceNames: names.default([]) })
  .strict();

const matchSchema = z
  .object({
    verbs: names.default([]),
    resources: z.array(groupResourcesSchema).default([]),
    namespaces: z.array(z.string()).default([]),
    nonResourceURLs: names.default([]),
    users: names.default([]),
    userGroups: names.default([]),
    stages: z
      .array(z.enum(AUDIT_STAGES))
      .min(1)
      .default([...DEFAULT_STAGES]),
    codes: z.array(z.number().int().min(100).max(599)).default([]),
    succeeded: z.boolean().default(false),
    impersonated: z.boolean().default(false),
  })
  .strict();

const stepSchema = z
  .object({ match: matchSchema.default(matchSchema.parse({})), condition: z.string().optional(), by: names.default([]) })
  .strict();

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id such as pod-exec'),
    title: z.string().min(1),
    description: z.string().default(''),
    severity: z.enum(SEVERITIES),
    mitre: z.array(z.string().regex(/^T\d{4}(?:\.\d{3})?$/, 'expected a MITRE ATT&CK technique id such as T1609')).default([]),
    tags: names.default([]),
    enabled: z.boolean().default(true),
    match: matchSchema.optional(),
    condition: z.string().optional(),
    output: z.string().min(1),
    window: z
      .object({ count: z.number().int().min(2), within: duration, by: names.default([]), distinct: z.string().optional() })
      .strict()
      .optional(),
    firstSeen: z
      .object({ by: names.min(1), learning: duration })
      .strict()
      .optional(),
    sequence: z
      .object({ within: duration, steps: z.array(stepSchema).min(2) })
      .strict()
      .optional(),
    throttle: z.object({ window: duration, by: names.optional() }).strict().optional(),
    requires: z
      .object({ level: z.enum(AUDIT_LEVELS) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const states = [rule.window, rule.firstSeen, rule.sequence].filter((s) => s !== undefined).length;
    if (states > 1) ctx.addIssue({ code: 'custom', message: 'a rule has at most one of window, firstSeen and sequence' });
    if (rule.sequence !== undefined && (rule.match !== undefined || rule.condition !== undefined))
      ctx.addIssue({ code: 'custom', message: 'a sequence rule puts match and condition in each of its steps' });
    if (rule.sequence === undefined && rule.match === undefined)
      ctx.addIssue({ code: 'custom', message: 'a rule needs a match (or a sequence of steps)', path: ['match'] });
  });

const listNameSchema = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'list names are snake_case CEL identifiers');
const fileSchema = z
  .object({ lists: z.record(listNameSchema, z.array(z.string())).optional(), rules: z.array(z.unknown()).default([]) })
  .strict();

type RuleDocument = z.infer<typeof ruleSchema>;

/** A parsed rule file, before compilation (lists are collected from every file first). */
interface ParsedFile {
  readonly file: string;
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly rules: { readonly value: unknown; readonly pointer: string }[];
  readonly positions: PositionIndex;
}

export interface RuleFileText {
  readonly file: string;
  readonly text: string;
}

export interface RuleLoadResult {
  readonly rules: DetectionRule[];
  readonly problems: InputProblem[];
  /** The lists every condition could use, by name. */
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

function problem(file: string, line: number | undefined, message: string, hint: string): InputProblem {
  return { code: 'invalid-rule', level: 'error', location: { file, ...(line === undefined ? {} : { line }) }, message, hint };
}

function parseFile(input: RuleFileText, problems: InputProblem[]): ParsedFile | undefined {
  const lines = new LineIndex(input.text);
  // A condition starting with "!" is a YAML tag unless quoted; YAML turns it into a different string
  // (the tag is dropped), which would silently invert the rule. Refuse unresolved tags.
  for (const doc of parseAllDocuments(input.text)) {
    for (const warning of doc.warnings) {
      if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
      problems.push(
        problem(
          input.file,
          lines.position(warning.pos[0]).line,
          `YAML tag in a value: ${warning.message.split('\n')[0] ?? ''}`,
          'Quote values that start with "!" (a CEL negation): condition: \'!isSystem(actor.username)\'',
        ),
      );
      return undefined;
    }
  }
  const stream = parseYamlStream(input.text, lines);
  for (const p of stream.problems) problems.push(problem(input.file, p.line, p.message, p.hint));
  const doc = stream.documents[0];
  if (doc === undefined) return undefined;
  const parsed = fileSchema.safeParse(doc.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
    problems.push(
      problem(
        input.file,
        doc.positions.locate(pointerOf(...path))?.line,
        `invalid rule file: ${issue?.message ?? 'invalid'}${path.length > 0 ? ` at ${path.join('.')}` : ''}`,
        'A rule file has `rules:` (and optionally `lists:`).',
      ),
    );
    return undefined;
  }
  return {
    file: input.file,
    lists: parsed.data.lists ?? {},
    rules: parsed.data.rules.map((value, i) => ({ value, pointer: `/rules/${i}` })),
    positions: doc.positions,
  };
}

function toMatch(m: z.infer<typeof matchSchema>): EventMatch {
  return {
    verbs: m.verbs,
    resources: m.resources.map((gr) => ({ group: gr.group, resources: gr.resources, resourceNames: gr.resourceNames })),
    namespaces: m.namespaces,
    nonResourceURLs: m.nonResourceURLs,
    users: m.users,
    userGroups: m.userGroups,
    stages: m.stages,
    codes: m.codes,
    succeeded: m.succeeded,
    impersonated: m.impersonated,
  };
}

function maxLevel(a: AuditLevel, b: AuditLevel): AuditLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

interface CompileEnvironment {
  readonly env: Environment;
  readonly constants: Readonly<Record<string, readonly string[]>>;
  readonly functions: readonly AuditFunction[];
}

function compileRule(
  cx: CompileEnvironment,
  doc: RuleDocument,
  file: string,
  line: number | undefined,
  problems: InputProblem[],
): DetectionRule | undefined {
  const fail = (message: string, hint: string): DetectionRule | undefined => {
    problems.push(problem(file, line, `rule ${doc.id}: ${message}`, hint));
    return undefined;
  };
  let requires: AuditLevel = 'Metadata';
  const stepDocs = doc.sequence?.steps ?? [{ match: doc.match ?? matchSchema.parse({}), condition: doc.condition, by: [] }];
  const steps: RuleStep[] = [];
  for (const [i, step] of stepDocs.entries()) {
    let condition: RuleStep['condition'];
    if (step.condition !== undefined && step.condition.trim() !== '') {
      const compiled = compileCondition(cx.env, step.condition, cx);
      if ('error' in compiled)
        return fail(
          `${doc.sequence === undefined ? 'condition' : `step ${i + 1} condition`} does not compile: ${compiled.error}`,
          'Conditions are CEL over event, actor, object, response and previous (docs/audit.md).',
        );
      condition = compiled.condition;
      requires = maxLevel(requires, compiled.requires);
    }
    steps.push({ match: toMatch(step.match), ...(condition === undefined ? {} : { condition }), by: step.by });
  }
  if (doc.sequence !== undefined && steps.some((s) => s.by.length === 0))
    return fail('every sequence step needs `by` fields that tie it to the others', 'For example by: [namespace, name].');
  const template = compileTemplate(doc.output);
  const unknown = unknownTemplateFields(template.fields);
  if (unknown.length > 0)
    return fail(
      `output names unknown fields: ${unknown.join(', ')}`,
      'Use a field listed in docs/audit.md or a dotted path into the event.',
    );
  if (template.fields.some((f) => f.startsWith('responseObject'))) requires = maxLevel(requires, 'RequestResponse');
  else if (template.fields.some((f) => f.startsWith('requestObject') || f === 'object.kind')) requires = maxLevel(requires, 'Request');
  let state: RuleState | undefined;
  if (doc.window !== undefined)
    state = {
      kind: 'window',
      count: doc.window.count,
      withinMs: parseDuration(doc.window.within) as number,
      by: doc.window.by,
      ...(doc.window.distinct === undefined ? {} : { distinct: doc.window.distinct }),
    };
  else if (doc.firstSeen !== undefined)
    state = { kind: 'first-seen', by: doc.firstSeen.by, learningMs: parseDuration(doc.firstSeen.learning) as number };
  else if (doc.sequence !== undefined) state = { kind: 'sequence', withinMs: parseDuration(doc.sequence.within) as number };
  const defaultThrottleBy =
    state?.kind === 'window' || state?.kind === 'first-seen'
      ? state.by
      : state?.kind === 'sequence'
        ? (steps.at(-1)?.by ?? [])
        : ['actor.name', 'verb', 'target'];
  return {
    id: doc.id,
    source: 'vigil',
    title: doc.title,
    description: doc.description,
    severity: doc.severity,
    mitre: doc.mitre,
    tags: doc.tags,
    steps,
    ...(state === undefined ? {} : { state }),
    output: template.render,
    throttle: {
      windowMs: doc.throttle === undefined ? DEFAULT_THROTTLE_MS : (parseDuration(doc.throttle.window) as number),
      by: doc.throttle?.by ?? defaultThrottleBy,
    },
    requires: { level: doc.requires?.level ?? requires },
    origin: { file, ...(line === undefined ? {} : { line }) },
    enabled: doc.enabled,
  };
}

/** Alerts of one rule with the same key are throttled to one per this period unless the rule says otherwise. */
export const DEFAULT_THROTTLE_MS = 10 * 60_000;

/**
 * Load Vigil rule files (YAML: `lists:` and `rules:`). Lists from every file are CEL constants in every
 * condition; conditions are parsed and type-checked once here. A bad rule is reported with its file
 * and line and left out; the rules beside it still load. Duplicate ids: the later definition replaces
 * the earlier one (so a user file can override a built-in rule), with a warning.
 */
export function loadVigilRules(inputs: readonly RuleFileText[], holder: ContextHolder = {}): RuleLoadResult {
  const problems: InputProblem[] = [];
  const files = inputs.map((input) => parseFile(input, problems)).filter((f): f is ParsedFile => f !== undefined);
  const lists: Record<string, readonly string[]> = {};
  for (const f of files) Object.assign(lists, f.lists);
  const cx: CompileEnvironment = { env: auditCelEnvironment(lists, holder), constants: lists, functions: auditFunctions(lists, holder) };
  const byId = new Map<string, DetectionRule>();
  for (const f of files) {
    for (const { value, pointer } of f.rules) {
      const line = f.positions.locate(pointer)?.line;
      const parsed = ruleSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
        const id = isRecord(value) && typeof value.id === 'string' ? `rule ${value.id}: ` : '';
        problems.push(
          problem(
            f.file,
            f.positions.locate(pointer + pointerOf(...path))?.line ?? line,
            `${id}${issue?.message ?? 'invalid rule'}${path.length > 0 ? ` at ${path.join('.')}` : ''}`,
            'See docs/audit.md for the rule format.',
          ),
        );
        continue;
      }
      const rule = compileRule(cx, parsed.data, f.file, line, problems);
      if (rule === undefined) continue;
      const earlier = byId.get(rule.id);
      if (earlier !== undefined) {
        problems.push({
          ...problem(
            f.file,
            line,
            `rule ${rule.id} replaces the rule of the same id from ${earlier.origin.file}${earlier.origin.line === undefined ? '' : `:${earlier.origin.line}`}`,
            'Give the rule a new id to keep both.',
          ),
          level: 'warning',
        });
        byId.delete(rule.id);
      }
      byId.set(rule.id, rule);
    }
  }
  return { rules: [...byId.values()], problems, lists };
}
