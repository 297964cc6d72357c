import type { InputProblem } from '../../core/errors.js';
import type { FalcoPriority } from './priority.js';

/** A place in a rule file (1-based). */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A piece of condition text and where it was read, so that an offset in the text maps to a file position. */
export interface TextPiece {
  /** Offset of the piece in the whole text. */
  readonly start: number;
  readonly length: number;
  /** Where the piece's first character is in the file. */
  readonly loc: Loc;
  /** True when the piece is the file's characters one for one (a single-line plain or simply quoted scalar). */
  readonly exact: boolean;
}

/** Condition text, possibly grown by appends, with where each piece came from. */
export interface SourceText {
  readonly text: string;
  readonly pieces: readonly TextPiece[];
}

/** `text` joined to `more` with a space, as Falco appends conditions, outputs and descriptions. */
export function appendText(a: SourceText, b: SourceText): SourceText {
  const offset = a.text.length + 1;
  return { text: `${a.text} ${b.text}`, pieces: [...a.pieces, ...b.pieces.map((p) => ({ ...p, start: p.start + offset }))] };
}

/** Where offset `offset` of a condition is in its file, and whether that is exact. */
export function locate(text: SourceText, offset: number): { loc: Loc; exact: boolean; pieceOffset: number } | undefined {
  let piece: TextPiece | undefined;
  for (const p of text.pieces) if (p.start <= offset) piece = p;
  if (piece === undefined) return undefined;
  const inPiece = offset - piece.start;
  if (!piece.exact) return { loc: piece.loc, exact: false, pieceOffset: inPiece };
  return { loc: { ...piece.loc, column: piece.loc.column + inPiece }, exact: true, pieceOffset: inPiece };
}

/** A value of an exception's `fields`, `comps` or `values`: a string, or a list of them. */
export type ExceptionEntry =
  { readonly isList: false; readonly item: string } | { readonly isList: true; readonly items: readonly ExceptionEntry[] };

export interface ExceptionInfo {
  readonly name: string;
  fields: ExceptionEntry | undefined;
  comps: ExceptionEntry | undefined;
  values: ExceptionEntry[];
  readonly loc: Loc;
}

export interface ListInfo {
  readonly name: string;
  items: string[];
  /** Position of the first definition (redefinitions keep it). */
  readonly index: number;
  /** Position of the last definition, append or replace: what it may refer to. */
  visibility: number;
  loc: Loc;
}

export interface MacroInfo {
  readonly name: string;
  condition: SourceText;
  readonly index: number;
  visibility: number;
  loc: Loc;
}

export interface RuleInfo {
  readonly name: string;
  condition: SourceText;
  output: string;
  outputLoc: Loc;
  desc: string;
  priority: FalcoPriority;
  readonly source: string;
  enabled: boolean;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  skipIfUnknownFilter: boolean;
  readonly index: number;
  visibility: number;
  loc: Loc;
}

/** What a rule append or replace carries (the keys `override:` names). */
export interface RuleUpdate {
  readonly name: string;
  condition?: SourceText;
  output?: string;
  desc?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: FalcoPriority;
  enabled?: boolean;
  skipIfUnknownFilter?: boolean;
  readonly loc: Loc;
}

export interface VersionRequirement {
  readonly version: string;
  readonly loc: Loc;
}

export interface PluginRequirement {
  /** The plugin and its accepted alternatives, each with a minimum version. */
  readonly alternatives: readonly { readonly name: string; readonly version: string }[];
  readonly loc: Loc;
}

/** Operators libsinsp accepts (for exception `comps`). */
export const SUPPORTED_OPERATORS: ReadonlySet<string> = new Set([
  'exists',
  '<=',
  '<',
  '>=',
  '>',
  '==',
  '=',
  '!=',
  'glob',
  'iglob',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'regex',
  'intersects',
  'in',
  'pmatch',
]);

/** An ordered set by name that keeps an item's first position when it is redefined (Falco's indexed_vector). */
class Indexed<T extends { readonly name: string; readonly index: number }> {
  private readonly byName = new Map<string, T>();
  private readonly order: T[] = [];

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  /** Insert a new item, or put it in place of the one with its name. */
  set(item: T): void {
    const prev = this.byName.get(item.name);
    if (prev === undefined) this.order.push(item);
    else this.order[this.order.indexOf(prev)] = item;
    this.byName.set(item.name, item);
  }

  all(): readonly T[] {
    return this.order;
  }
}

/**
 * Collects the items of rule files, in load order, into one namespace of lists, macros and rules,
 * with Falco's semantics (rule_loader_collector.cpp): a redefinition replaces an item but keeps its
 * position; appends and replaces update the item and what it may refer to; a rule entry with only
 * `enabled` changes nothing else. Errors are recorded and the offending item is skipped.
 */
export class FalcoCollector {
  readonly lists = new Indexed<ListInfo>();
  readonly macros = new Indexed<MacroInfo>();
  readonly rules = new Indexed<RuleInfo>();
  readonly engineVersions: VersionRequirement[] = [];
  readonly pluginVersions: PluginRequirement[] = [];
  readonly problems: InputProblem[] = [];
  /** Rules whose source is not k8s_audit: loaded (lists and macros stay shared) and never run. */
  readonly otherSources = new Map<string, number>();
  private next = 0;

  problem(level: InputProblem['level'], loc: Loc, message: string, hint?: string): void {
    this.problems.push({
      code: 'invalid-rule',
      level,
      location: { file: loc.file, line: loc.line, column: loc.column },
      message,
      ...(hint === undefined ? {} : { hint }),
    });
  }

  defineList(name: string, items: string[], loc: Loc): void {
    const prev = this.lists.get(name);
    const id = this.next++;
    this.lists.set({ name, items, index: prev?.index ?? id, visibility: id, loc });
  }

  appendList(name: string, items: string[], loc: Loc): boolean {
    const prev = this.lists.get(name);
    if (prev === undefined) {
      this.problem('error', loc, `list '${name}': List has 'append' key or an append override but no list by that name already exists`);
      return false;
    }
    prev.items.push(...items);
    prev.visibility = this.next++;
    return true;
  }

  defineMacro(name: string, condition: SourceText, loc: Loc): void {
    const prev = this.macros.get(name);
    const id = this.next++;
    this.macros.set({ name, condition, index: prev?.index ?? id, visibility: id, loc });
  }

  appendMacro(name: string, condition: SourceText, loc: Loc): boolean {
    const prev = this.macros.get(name);
    if (prev === undefined) {
      this.problem('error', loc, `macro '${name}': Macro has 'append' key or an append override but no macro by that name already exists`);
      return false;
    }
    prev.condition = appendText(prev.condition, condition);
    prev.visibility = this.next++;
    return true;
  }

  defineRule(info: Omit<RuleInfo, 'index' | 'visibility'>, knownField: (name: string) => boolean): void {
    const prev = this.rules.get(info.name);
    if (prev !== undefined && prev.source !== info.source) {
      this.problem('error', info.loc, `rule '${info.name}': Rule has been re-defined with a different source`);
      return;
    }
    // Fields are checked against the k8s_audit fields only for k8s_audit rules (Falco checks them
    // against the rule's source, and other sources are not loaded here).
    const check = info.source === 'k8s_audit' ? knownField : (): boolean => true;
    for (const ex of info.exceptions) if (!this.validateException(info.name, ex, check)) return;
    const id = this.next++;
    this.rules.set({ ...info, index: prev?.index ?? id, visibility: id });
  }

  /** Falco's `validate_exception_info`: defaults `comps`, checks lengths, operators and fields. */
  private validateException(rule: string, ex: ExceptionInfo, knownField: (name: string) => boolean): boolean {
    const fail = (message: string): boolean => {
      this.problem('error', ex.loc, `rule '${rule}': exception '${ex.name}': ${message}`);
      return false;
    };
    const fields = ex.fields;
    if (fields === undefined) return fail('Rule exception item must have fields property with a list of fields');
    if (fields.isList) {
      ex.comps ??= { isList: true, items: fields.items.map(() => ({ isList: false, item: '=' })) };
      const comps = ex.comps;
      if (!comps.isList || comps.items.length !== fields.items.length) return fail('Fields and comps lists must have equal length');
      for (const c of comps.items)
        if (c.isList || !SUPPORTED_OPERATORS.has(c.item))
          return fail(`'${c.isList ? '(list)' : c.item}' is not a supported comparison operator`);
      for (const f of fields.items)
        if (f.isList || !knownField(f.item)) return fail(`'${f.isList ? '(list)' : f.item}' is not a supported filter field`);
    } else {
      ex.comps ??= { isList: false, item: 'in' };
      const comps = ex.comps;
      if (comps.isList) return fail('Fields and comps must both be strings');
      if (comps.item !== 'in' && comps.item !== 'pmatch' && comps.item !== 'intersects')
        return fail('When fields is a single value, comps must be one of (in, pmatch, intersects)');
      if (!knownField(fields.item)) return fail(`'${fields.item}' is not a supported filter field`);
    }
    return true;
  }

  /** `append: true`, or `override:` with `append` entries (rule_loader_collector `append`). */
  appendRule(update: RuleUpdate, knownField: (name: string) => boolean): boolean {
    const prev = this.rules.get(update.name);
    if (prev === undefined) {
      this.problem(
        'error',
        update.loc,
        `rule '${update.name}': Rule has 'append' key or an append override but no rule by that name already exists`,
      );
      return false;
    }
    const hasAny =
      update.condition !== undefined ||
      update.output !== undefined ||
      update.desc !== undefined ||
      update.tags !== undefined ||
      update.exceptions !== undefined;
    if (!hasAny) {
      this.problem('error', update.loc, `rule '${update.name}': Appended rule must have exceptions or condition property`);
      return false;
    }
    if (update.condition !== undefined && update.condition.text !== '') prev.condition = appendText(prev.condition, update.condition);
    if (update.output !== undefined && update.output !== '') prev.output = `${prev.output} ${update.output}`;
    if (update.desc !== undefined && update.desc !== '') prev.desc = `${prev.desc} ${update.desc}`;
    if (update.tags !== undefined) for (const t of update.tags) prev.tags.add(t);
    for (const ex of update.exceptions ?? []) {
      const existing = prev.exceptions.find((e) => e.name === ex.name);
      if (existing === undefined) {
        if (ex.fields === undefined) {
          this.problem('error', ex.loc, `rule '${update.name}': Rule exception must have fields property with a list of fields`);
          return false;
        }
        if (ex.values.length === 0) {
          this.problem('error', ex.loc, `rule '${update.name}': Rule exception must have values property with a list of values`);
          return false;
        }
        if (!this.validateException(update.name, ex, prev.source === 'k8s_audit' ? knownField : (): boolean => true)) return false;
        prev.exceptions.push(ex);
      } else {
        if (ex.fields !== undefined) {
          this.problem('error', ex.loc, `rule '${update.name}': Can not append exception fields to existing exception, only values`);
          return false;
        }
        if (ex.comps !== undefined) {
          this.problem('error', ex.loc, `rule '${update.name}': Can not append exception comps to existing exception, only values`);
          return false;
        }
        existing.values.push(...ex.values);
      }
    }
    prev.visibility = this.next++;
    return true;
  }

  /** `override:` with `replace` entries (rule_loader_collector `selective_replace`). */
  replaceRule(update: RuleUpdate, knownField: (name: string) => boolean): boolean {
    const prev = this.rules.get(update.name);
    if (prev === undefined) {
      this.problem('error', update.loc, `rule '${update.name}': An replace override was given but no rule by that name already exists`);
      return false;
    }
    if (update.exceptions !== undefined)
      for (const ex of update.exceptions)
        if (!this.validateException(update.name, ex, prev.source === 'k8s_audit' ? knownField : (): boolean => true)) return false;
    if (update.condition !== undefined) prev.condition = update.condition;
    if (update.output !== undefined) prev.output = update.output;
    if (update.desc !== undefined) prev.desc = update.desc;
    if (update.tags !== undefined) prev.tags = update.tags;
    if (update.exceptions !== undefined) prev.exceptions = update.exceptions;
    if (update.priority !== undefined) prev.priority = update.priority;
    if (update.enabled !== undefined) prev.enabled = update.enabled;
    if (update.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = update.skipIfUnknownFilter;
    prev.visibility = this.next++;
    return true;
  }

  /** A rule entry with only `enabled` (deprecated upstream in favour of `override: {enabled: replace}`). */
  enableRule(name: string, enabled: boolean, loc: Loc): void {
    const prev = this.rules.get(name);
    if (prev === undefined) {
      this.problem('error', loc, `rule '${name}': Rule has 'enabled' key but no rule by that name already exists`);
      return;
    }
    prev.enabled = enabled;
  }
}
