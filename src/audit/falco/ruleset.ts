import { AUDIT_STAGES, type AuditLevel } from '../../analysis/audit-policy/types.js';
import type { InputProblem } from '../../core/errors.js';
import type { AuditEvent } from '../event.js';
import type { DetectionRule, EventMatch } from '../rule.js';
import { locate, FalcoCollector, type ExceptionEntry, type ExceptionInfo, type Loc, type RuleInfo, type SourceText } from './collector.js';
import type { Expr } from './condition-ast.js';
import { conditionPosition, ConditionSyntaxError, parseCondition } from './condition-parser.js';
import { bodiesRead, ConditionCompiler, EvalContext, ExtractionFailure, FieldSlots, type Predicate } from './compile.js';
import { FALCO_FIELDS, type FalcoEventView } from './fields.js';
import { compileOutput, OutputTemplateError, type OutputTemplate } from './output.js';
import { severityOfPriority } from './priority.js';
import { readFalcoRuleFile } from './reader.js';
import { expandLists, MacroResolver, quoteItem, ResolveError, type CompiledList, type MacroEntry } from './resolve.js';
import { nanosOf, parseRfc3339, type Rfc3339Time } from './timestamp.js';
import { versionProblems } from './versions.js';

/** A rules file to load: its name (for messages) and its text. */
export interface FalcoRuleFile {
  readonly file: string;
  readonly text: string;
}

/** Falco's `rule_matching`: `all` rules alert (Vigil's default), or only the `first` matching one per event. */
export type RuleMatching = 'first' | 'all';

export interface FalcoLoadOptions {
  readonly ruleMatching?: RuleMatching;
  /** The cluster name, for `ka.cluster.name`. */
  readonly cluster?: string;
}

/** What happened to events on their way to the Falco rules. */
export interface FalcoRuntimeStats {
  /** Events without a readable `stageTimestamp`: Falco's k8saudit plugin drops them, so no Falco rule saw them. */
  skippedEvents: number;
}

export interface FalcoRuleset {
  /** The k8s_audit rules, in Falco's rule order (first definition), enabled and disabled. */
  readonly rules: DetectionRule[];
  readonly problems: InputProblem[];
  readonly stats: FalcoRuntimeStats;
  readonly counts: {
    readonly files: number;
    readonly lists: number;
    readonly macros: number;
    /** Rules of sources other than k8s_audit (the default source is syscall), by source: loaded, never run. */
    readonly otherSources: Readonly<Record<string, number>>;
  };
}

/** Every stage: Falco rules look at the stage themselves (`kevt`, `kevt_started`). */
const EVERY_EVENT: EventMatch = {
  verbs: [],
  resources: [],
  namespaces: [],
  nonResourceURLs: [],
  users: [],
  userGroups: [],
  stages: AUDIT_STAGES,
  codes: [],
  succeeded: false,
  impersonated: false,
};

const MITRE_TAG = /^T\d{4}(?:\.\d{3})?$/;

/** The field name of an exception's field (`jevt.value[/x]` is `jevt.value`). */
function knownField(text: string): boolean {
  const bracket = text.indexOf('[');
  return FALCO_FIELDS.has(bracket === -1 ? text : text.slice(0, bracket));
}

/** The view of one event; the nanosecond time (BigInt arithmetic) is worked out only when a rule reads it. */
class LazyView implements FalcoEventView {
  private nanos: string | undefined;

  constructor(
    readonly raw: AuditEvent['raw'],
    private readonly time: Rfc3339Time,
    readonly cluster: string | undefined,
  ) {}

  get rawtime(): string {
    return (this.nanos ??= nanosOf(this.time));
  }
}

/** Where a k8s_audit rule looks at each event: the view shared by every rule, rebuilt once per event. */
class Runtime {
  private current: AuditEvent | undefined;
  private visible = false;
  readonly cx: EvalContext;

  constructor(
    private readonly cluster: string | undefined,
    readonly stats: FalcoRuntimeStats,
  ) {
    this.cx = new EvalContext({ raw: {}, rawtime: '0', cluster });
  }

  /** The context for `event`, or undefined when Falco would never have seen it (no readable stageTimestamp). */
  enter(event: AuditEvent): EvalContext | undefined {
    if (event !== this.current) {
      this.current = event;
      const ts = event.raw.stageTimestamp;
      const time = typeof ts === 'string' ? parseRfc3339(ts) : undefined;
      this.visible = time !== undefined;
      if (time === undefined) this.stats.skippedEvents++;
      else this.cx.reset(new LazyView(event.raw, time, this.cluster));
    }
    return this.visible ? this.cx : undefined;
  }

  view(event: AuditEvent): FalcoEventView | undefined {
    return this.enter(event)?.view;
  }
}

/** Falco's `compile_list_infos`: a list's items, with the items of lists defined before it put in place of their names. */
function compileLists(collector: FalcoCollector): CompiledList[] {
  return collector.lists.all().map((list) => {
    const items: string[] = [];
    for (const item of list.items) {
      const ref = collector.lists.get(item);
      if (ref !== undefined && ref.index < list.visibility) items.push(...ref.items.map(quoteItem));
      else items.push(quoteItem(item));
    }
    return { name: list.name, index: list.index, items };
  });
}

/** Falco's `build_rule_exception_infos`: the condition with `and not (...)` for each exception, as text. */
function exceptionText(condition: string, exceptions: readonly ExceptionInfo[]): string {
  const isListOp = (op: string): boolean => op === 'in' || op === 'intersects' || op === 'pmatch';
  const paren = (e: string): string => (e.startsWith('(') ? e : `(${e})`);
  const item = (e: ExceptionEntry): string => (e.isList ? '' : e.item);
  let out = `(${condition})`;
  for (const ex of exceptions) {
    const fields = ex.fields as ExceptionEntry;
    const comps = ex.comps as ExceptionEntry;
    let icond = '';
    if (!fields.isList) {
      for (const v of ex.values) {
        if (v.isList) throw new Error(`exception '${ex.name}': Expected values array to contain a list of strings`);
        icond += icond === '' ? `(${fields.item} ${item(comps)} (` : ', ';
        icond += quoteItem(v.item);
      }
      icond += icond === '' ? '' : '))';
    } else {
      const compItems = comps.isList ? comps.items : [];
      icond = '(';
      for (const values of ex.values) {
        const tuple = values.isList ? values.items : [];
        if (tuple.length !== fields.items.length) throw new Error(`exception '${ex.name}': Fields and values lists must have equal length`);
        icond += icond === '(' ? '' : ' or ';
        icond += '(';
        fields.items.forEach((field, k) => {
          const value = tuple[k] as ExceptionEntry;
          const op = item(compItems[k] as ExceptionEntry);
          const text = value.isList
            ? `(${value.items.map((v) => quoteItem(item(v))).join(', ')})`
            : isListOp(op)
              ? paren(value.item)
              : quoteItem(value.item);
          icond += `${k === 0 ? '' : ' and '} ${item(field)} ${op} ${text}`;
        });
        icond += ')';
      }
      icond += ')';
      if (icond === '()') icond = '';
    }
    if (icond !== '') out += ` and not ${icond}`;
  }
  return out;
}

/** `at column 12` (or `at line 2, column 3` for a condition on several lines), with what follows. */
function describePosition(text: string, offset: number): string {
  const p = conditionPosition(text, offset);
  const near = text.slice(offset, offset + 30).split('\n')[0] ?? '';
  const where = text.includes('\n') ? `line ${p.line}, column ${p.column}` : `column ${p.column}`;
  return `at ${where} of the condition${near === '' ? ' (its end)' : ` (near "${near}")`}`;
}

class RulesetBuilder {
  readonly problems: InputProblem[] = [];
  private readonly lists: CompiledList[];
  private readonly listNames: Set<string>;
  private readonly resolver: MacroResolver;
  private readonly slots = new FieldSlots();
  private readonly compiler = new ConditionCompiler(this.slots);

  constructor(private readonly collector: FalcoCollector) {
    this.lists = compileLists(collector);
    this.listNames = new Set(this.lists.map((l) => l.name));
    const entries: MacroEntry[] = collector.macros.all().map((m) => ({
      name: m.name,
      index: m.index,
      visibility: m.visibility,
      tree: this.parse(m.condition, `macro '${m.name}'`),
    }));
    this.resolver = new MacroResolver(entries, (name, err) => {
      if (err !== undefined) this.resolveProblem(`macro '${name}'`, err, undefined);
    });
  }

  private problem(level: InputProblem['level'], loc: Loc, message: string, hint?: string): void {
    this.problems.push({
      code: 'invalid-rule',
      level,
      location: { file: loc.file, line: loc.line, column: loc.column },
      message,
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /** A problem at an offset of a condition text. */
  private at(level: InputProblem['level'], text: SourceText, offset: number, what: string, message: string, fallback: Loc): void {
    const place = locate(text, offset);
    this.problem(
      level,
      place?.loc ?? fallback,
      `${what}: ${message} ${describePosition(text.text, offset)}`,
      'Falco condition syntax: https://falco.org/docs/concepts/rules/conditions/',
    );
  }

  /** Parse (and expand lists in) a condition; undefined after reporting a problem. */
  private parse(text: SourceText, what: string): Expr | undefined {
    try {
      return expandLists(parseCondition(text.text), this.lists, this.listNames);
    } catch (err: unknown) {
      if (err instanceof ConditionSyntaxError || err instanceof ResolveError) {
        this.at('error', text, err.offset, what, err.message, text.pieces[0]?.loc ?? { file: '', line: 1, column: 1 });
        return undefined;
      }
      throw err;
    }
  }

  /** Report an error raised in a macro (its own text) or in the rule's condition. */
  private resolveProblem(what: string, err: ResolveError, rule: RuleInfo | undefined, level: InputProblem['level'] = 'error'): void {
    const macro = err.macro === undefined ? undefined : this.collector.macros.get(err.macro);
    if (macro !== undefined) {
      this.at(
        level,
        macro.condition,
        err.offset,
        `${what}${rule === undefined && what === `macro '${macro.name}'` ? '' : ` (in macro '${macro.name}')`}`,
        err.message,
        macro.loc,
      );
      return;
    }
    if (rule !== undefined) this.at(level, rule.condition, err.offset, what, err.message, rule.loc);
  }

  build(options: FalcoLoadOptions, stats: FalcoRuntimeStats): DetectionRule[] {
    const runtime = new Runtime(options.cluster, stats);
    const out: DetectionRule[] = [];
    for (const rule of this.collector.rules.all()) {
      if (rule.source !== 'k8s_audit') continue;
      const compiled = this.compileRule(rule);
      if (compiled === undefined) continue;
      out.push(this.detectionRule(rule, compiled.predicate, compiled.output, compiled.level, runtime, options.ruleMatching ?? 'all'));
    }
    return out;
  }

  private compileRule(rule: RuleInfo): { predicate: Predicate; output: OutputTemplate; level: AuditLevel } | undefined {
    const what = `rule '${rule.name}'`;
    // The condition alone first, so that its errors point into the file; then with the exceptions.
    let tree = this.parse(rule.condition, what);
    if (tree === undefined) return undefined;
    if (rule.exceptions.length > 0) {
      let text: string;
      try {
        text = exceptionText(rule.condition.text, rule.exceptions);
      } catch (err: unknown) {
        this.problem('error', rule.loc, `${what}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
      try {
        tree = expandLists(parseCondition(text), this.lists, this.listNames);
      } catch (err: unknown) {
        if (!(err instanceof ConditionSyntaxError || err instanceof ResolveError)) throw err;
        const p = conditionPosition(text, err.offset);
        this.problem(
          'error',
          rule.loc,
          `${what}: its exceptions do not make a valid condition: ${err.message} at column ${p.column} of "${text}"`,
        );
        return undefined;
      }
    }
    let predicate: Predicate;
    let level: AuditLevel;
    try {
      const resolved = this.resolver.resolveRule(tree);
      predicate = this.compiler.compile(resolved);
      const reads = bodiesRead(resolved);
      level = reads.has('response') ? 'RequestResponse' : reads.has('request') ? 'Request' : 'Metadata';
    } catch (err: unknown) {
      if (!(err instanceof ResolveError)) throw err;
      const unknown = err.message.includes('nonexistent field');
      if (unknown && rule.skipIfUnknownFilter) {
        this.resolveProblem(`${what} (skipped: skip-if-unknown-filter)`, err, rule, 'warning');
        return undefined;
      }
      this.resolveProblem(what, err, rule);
      return undefined;
    }
    let output: OutputTemplate;
    try {
      output = compileOutput(rule.output);
    } catch (err: unknown) {
      if (!(err instanceof OutputTemplateError)) throw err;
      if (rule.skipIfUnknownFilter) {
        this.problem('warning', rule.outputLoc, `${what} (skipped: skip-if-unknown-filter): output: ${err.message}`);
        return undefined;
      }
      this.problem(
        'error',
        rule.outputLoc,
        `${what}: output: ${err.message}`,
        'Output fields are %field or %field[arg], with the fields a condition can use.',
      );
      return undefined;
    }
    return { predicate, output, level };
  }

  private detectionRule(
    rule: RuleInfo,
    predicate: Predicate,
    output: OutputTemplate,
    level: AuditLevel,
    runtime: Runtime,
    matching: RuleMatching,
  ): DetectionRule {
    const condition = (event: AuditEvent): boolean | Error => {
      const cx = runtime.enter(event);
      if (cx === undefined) return false;
      try {
        return predicate(cx);
      } catch (err: unknown) {
        if (err instanceof ExtractionFailure) return err;
        throw err;
      }
    };
    const render = (event: AuditEvent): { text: string; fields: Readonly<Record<string, string>> } => {
      const view = runtime.view(event);
      return view === undefined ? { text: rule.output, fields: {} } : output.render(view);
    };
    const tags = [...rule.tags].sort();
    return {
      id: rule.name,
      source: 'falco',
      title: rule.name,
      description: rule.desc,
      severity: severityOfPriority(rule.priority),
      priority: rule.priority,
      mitre: tags.filter((t) => MITRE_TAG.test(t)),
      tags,
      steps: [{ match: EVERY_EVENT, condition, by: [] }],
      output: (event) => render(event).text,
      outputFields: (event) => render(event).fields,
      // Falco raises every match; only the exact de-duplication of the engine applies.
      throttle: { windowMs: 0, by: [] },
      requires: { level },
      origin: { file: rule.loc.file, line: rule.loc.line },
      enabled: rule.enabled,
      ...(matching === 'first' ? { firstMatch: true } : {}),
    };
  }
}

/**
 * Load Falco rules files, in order, into detection rules for Vigil's engine: lists, macros and
 * rules share one namespace across the files with Falco's semantics (redefinition keeps position,
 * append, override, exceptions, enabled); each k8s_audit rule's condition is parsed, its lists and
 * macros resolved, and compiled once into a predicate over the audit event. Problems (with file,
 * line, column and rule) are returned, never thrown; a rule with an error is left out.
 */
export function loadFalcoRules(files: readonly FalcoRuleFile[], options: FalcoLoadOptions = {}): FalcoRuleset {
  const collector = new FalcoCollector();
  for (const f of files) readFalcoRuleFile(f.text, f.file, collector, knownField);
  const builder = new RulesetBuilder(collector);
  const stats: FalcoRuntimeStats = { skippedEvents: 0 };
  const rules = builder.build(options, stats);
  const otherSources: Record<string, number> = {};
  for (const r of collector.rules.all()) if (r.source !== 'k8s_audit') otherSources[r.source] = (otherSources[r.source] ?? 0) + 1;
  const problems = [...collector.problems, ...versionProblems(collector), ...builder.problems];
  for (const [source, n] of Object.entries(otherSources))
    problems.push({
      code: 'invalid-rule',
      level: 'info',
      location: { file: files.map((f) => f.file).join(', ') },
      message: `${n} rule(s) of source ${source} loaded but not run: Vigil runs the k8s_audit rules (rules without source: are syscall rules)`,
    });
  return {
    rules,
    problems,
    stats,
    counts: { files: files.length, lists: collector.lists.all().length, macros: collector.macros.all().length, otherSources },
  };
}
