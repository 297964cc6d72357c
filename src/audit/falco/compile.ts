import { fieldRefText, isListOperator, type Expr, type FieldRef, type Operator, type ValueToken } from './condition-ast.js';
import { FALCO_FIELDS, type BodyRead, type Extracted, type FalcoEventView, type FieldSpec } from './fields.js';
import { WRONG_TYPE } from './json-walk.js';
import { asciiLower, asciiUpper, byteCompare, compilePathPrefixes, fullMatchRegExp, globRegExp } from './match-ops.js';
import { ResolveError } from './resolve.js';

/**
 * What a compiled condition reads from: the event, and a per-event cache of extracted fields (as
 * libsinsp caches extractions within one event, several rules reading `ka.verb` extract it once).
 */
export class EvalContext {
  view: FalcoEventView;
  private serial = 0;
  private readonly stamps: number[] = [];
  private readonly values: Extracted[] = [];

  constructor(view: FalcoEventView) {
    this.view = view;
  }

  /** Point the context at the next event (the cache empties). */
  reset(view: FalcoEventView): void {
    this.view = view;
    this.serial++;
  }

  cached(slot: number, extract: (view: FalcoEventView) => Extracted): Extracted {
    if (this.stamps[slot] === this.serial) return this.values[slot];
    const v = extract(this.view);
    this.stamps[slot] = this.serial;
    this.values[slot] = v;
    return v;
  }
}

/** A field extraction failed (the plugin reported an error): the rule does not match, and it is counted. */
export class ExtractionFailure extends Error {
  override readonly name = 'ExtractionFailure';
}

export type Predicate = (cx: EvalContext) => boolean;

/** A field read with its transformers applied: a string or number, a list, or nothing. */
type Value = string | number | readonly string[] | readonly number[] | undefined;

interface CompiledField {
  readonly read: (cx: EvalContext) => Value;
  readonly list: boolean;
  readonly numeric: boolean;
  readonly spec: FieldSpec;
  readonly text: string;
}

/** Slots of the extraction cache, shared by every rule of a ruleset. */
export class FieldSlots {
  private readonly slots = new Map<string, number>();

  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(key, s);
    }
    return s;
  }
}

/** Parse a field argument for its kind; a message when it is not acceptable. */
function argumentOf(spec: FieldSpec, arg: string | undefined): { key: string | undefined; index: number | undefined } | string {
  if (spec.arg === 'none')
    return arg === undefined ? { key: undefined, index: undefined } : `field '${spec.name}' does not take an argument`;
  if (spec.arg === 'key') {
    if (arg === undefined || arg === '') return `field '${spec.name}' requires an argument: ${spec.name}[…]`;
    return { key: arg, index: undefined };
  }
  if (arg === undefined) return { key: undefined, index: undefined };
  if (!/^\d+$/.test(arg)) return `the argument of '${spec.name}' must be an index (a number): ${spec.name}[0]`;
  return { key: undefined, index: Number(arg) };
}

/** Look a field reference up and make its reader (extraction through the cache, then transformers). */
export function compileField(ref: FieldRef, slots: FieldSlots, where: string | undefined): CompiledField {
  const spec = FALCO_FIELDS.get(ref.name);
  if (spec === undefined) throw new ResolveError(`filter_check called with nonexistent field ${ref.name}`, ref.at, where);
  const arg = argumentOf(spec, ref.arg);
  if (typeof arg === 'string') throw new ResolveError(arg, ref.at, where);
  const slot = slots.slot(ref.arg === undefined ? ref.name : `${ref.name}[${ref.arg}]`);
  const extract = (view: FalcoEventView): Extracted => spec.extract(view, arg.key, arg.index);
  let read: (cx: EvalContext) => Value = (cx) => {
    const v = cx.cached(slot, extract);
    if (v === WRONG_TYPE) throw new ExtractionFailure(`${ref.name}: the event holds a value of the wrong type`);
    // A list field with no values is not available, as in libsinsp.
    if (typeof v === 'object' && v.length === 0) return undefined;
    return v;
  };
  let list = spec.list;
  let numeric = false;
  // Transformers apply innermost first.
  for (let i = ref.transformers.length - 1; i >= 0; i--) {
    const t = ref.transformers[i];
    const inner = read;
    if (numeric) throw new ResolveError(`transformer '${t ?? ''}' cannot be applied to a number`, ref.at, where);
    switch (t) {
      case 'tolower':
      case 'toupper': {
        const f = t === 'tolower' ? asciiLower : asciiUpper;
        read = (cx) => {
          const v = inner(cx) as string | readonly string[] | undefined;
          return v === undefined ? v : typeof v === 'string' ? f(v) : v.map(f);
        };
        break;
      }
      case 'b64': {
        const decode = (s: string): string | undefined =>
          /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64').toString('utf8') : undefined;
        read = (cx) => {
          const v = inner(cx) as string | readonly string[] | undefined;
          if (v === undefined) return v;
          if (typeof v === 'string') return decode(v);
          const out = v.map(decode);
          return out.includes(undefined) ? undefined : (out as string[]);
        };
        break;
      }
      case 'basename': {
        const base = (s: string): string => s.slice(s.lastIndexOf('/') + 1);
        read = (cx) => {
          const v = inner(cx) as string | readonly string[] | undefined;
          return v === undefined ? v : typeof v === 'string' ? base(v) : v.map(base);
        };
        break;
      }
      case 'len':
        read = (cx) => {
          const v = inner(cx) as string | readonly string[] | undefined;
          return v === undefined ? v : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
        };
        list = false;
        numeric = true;
        break;
      case undefined:
        break;
    }
  }
  return { read, list, numeric, spec, text: fieldRefText(ref) };
}

function parseNumber(token: ValueToken, where: string | undefined): number {
  const t = token.text;
  const n = /^0[xX][0-9a-fA-F]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
  if (Number.isNaN(n)) throw new ResolveError(`'${t}' is not a number`, token.at, where);
  return n;
}

const STRING_ONLY: readonly Operator[] = ['contains', 'icontains', 'startswith', 'endswith', 'glob', 'iglob', 'regex', 'pmatch'];

/** One value compared with one constant. */
function scalarTest(op: Operator, token: ValueToken, numeric: boolean, where: string | undefined): (v: string | number) => boolean {
  if (op === 'bcontains' || op === 'bstartswith')
    throw new ResolveError(`'${op}' not supported for ${numeric ? 'numeric' : 'string'} filters`, token.at, where);
  if (numeric) {
    if (STRING_ONLY.includes(op)) throw new ResolveError(`'${op}' not supported for numeric filters`, token.at, where);
    const n = parseNumber(token, where);
    switch (op) {
      case '=':
      case '==':
        return (v) => v === n;
      case '!=':
        return (v) => v !== n;
      case '<':
        return (v) => (v as number) < n;
      case '<=':
        return (v) => (v as number) <= n;
      case '>':
        return (v) => (v as number) > n;
      case '>=':
        return (v) => (v as number) >= n;
      case 'exists':
      case 'contains':
      case 'icontains':
      case 'startswith':
      case 'endswith':
      case 'glob':
      case 'iglob':
      case 'regex':
      case 'in':
      case 'intersects':
      case 'pmatch':
        throw new ResolveError(`'${op}' not supported for numeric filters`, token.at, where);
    }
  }
  const c = token.text;
  switch (op) {
    case '=':
    case '==':
      return (v) => v === c;
    case '!=':
      return (v) => v !== c;
    case 'contains':
      return (v) => (v as string).includes(c);
    case 'icontains': {
      const lc = asciiLower(c);
      return (v) => asciiLower(v as string).includes(lc);
    }
    case 'startswith':
      return (v) => (v as string).startsWith(c);
    case 'endswith':
      return (v) => (v as string).endsWith(c);
    case 'glob':
    case 'iglob': {
      const re = globRegExp(c, op === 'iglob');
      return (v) => re.test(v as string);
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = fullMatchRegExp(c);
      } catch (err: unknown) {
        throw new ResolveError(`invalid regular expression '${c}': ${err instanceof Error ? err.message : String(err)}`, token.at, where);
      }
      return (v) => re.test(v as string);
    }
    case '<':
      return (v) => byteCompare(v as string, c) < 0;
    case '<=':
      return (v) => byteCompare(v as string, c) <= 0;
    case '>':
      return (v) => byteCompare(v as string, c) > 0;
    case '>=':
      return (v) => byteCompare(v as string, c) >= 0;
    case 'exists':
    case 'in':
    case 'intersects':
    case 'pmatch':
      throw new ResolveError(`'${op}' needs a list of values`, token.at, where);
  }
}

/** A set of constants, for `in`, `intersects` (membership) and `pmatch` (path prefixes). */
function setTest(
  op: Operator,
  tokens: readonly ValueToken[],
  numeric: boolean,
  at: number,
  where: string | undefined,
): (v: string | number) => boolean {
  if (op === 'pmatch') {
    if (numeric) throw new ResolveError("'pmatch' not supported for numeric filters", at, where);
    const match = compilePathPrefixes(tokens.map((t) => t.text));
    return (v) => match(v as string);
  }
  const set = new Set<string | number>(numeric ? tokens.map((t) => parseNumber(t, where)) : tokens.map((t) => t.text));
  return (v) => set.has(v);
}

/** The members of a list field that must be in the set (`in`: all of them; `intersects`: one). */
function listTest(op: Operator, member: (v: string | number) => boolean): (values: readonly (string | number)[]) => boolean {
  if (op === 'in') return (values) => values.every(member);
  return (values) => values.some(member);
}

/**
 * Compiles resolved condition trees into predicates, once: a macro's shared tree gives one
 * predicate however many rules use it. Field names, arguments and operators are checked here
 * (libsinsp's filter compiler), so a rule that names an unknown field fails to load.
 */
export class ConditionCompiler {
  private readonly memo = new WeakMap<Expr, Predicate>();

  constructor(private readonly slots: FieldSlots) {}

  compile(expr: Expr, where?: string): Predicate {
    const hit = this.memo.get(expr);
    if (hit !== undefined) return hit;
    const p = this.build(expr, where);
    this.memo.set(expr, p);
    return p;
  }

  private build(expr: Expr, where: string | undefined): Predicate {
    switch (expr.kind) {
      case 'and': {
        const ps = expr.children.map((c) => this.compile(c, where));
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (cx) => a(cx) && b(cx);
        }
        return (cx) => {
          for (const p of ps) if (!p(cx)) return false;
          return true;
        };
      }
      case 'or': {
        const ps = expr.children.map((c) => this.compile(c, where));
        return (cx) => {
          for (const p of ps) if (p(cx)) return true;
          return false;
        };
      }
      case 'not': {
        const p = this.compile(expr.child, where);
        return (cx) => !p(cx);
      }
      case 'resolved-macro':
        return this.compile(expr.body, expr.name);
      case 'macro':
        // Resolution replaces every reference; one left here is a bug in the caller.
        throw new ResolveError(`macro '${expr.name}' was not resolved`, expr.at, where);
      case 'check':
        return this.check(expr, where);
    }
  }

  private check(expr: Extract<Expr, { kind: 'check' }>, where: string | undefined): Predicate {
    const field = compileField(expr.field, this.slots, where);
    const read = field.read;
    const op = expr.op;
    if (op === 'exists') return (cx) => read(cx) !== undefined;
    if (field.list && op !== 'in' && op !== 'intersects')
      throw new ResolveError(`list filter '${field.text}' only supports operators 'exists', 'in' and 'intersects'`, expr.at, where);
    const operand = expr.operand;
    if (operand === undefined) throw new ResolveError(`operator '${op}' needs a value`, expr.at, where);

    if (operand.kind === 'field') return this.fieldComparison(expr, field, where);

    const listOp = isListOperator(op);
    if (listOp) {
      const tokens = operand.kind === 'list' ? operand.items : [operand.value];
      const member = setTest(op, tokens, field.numeric, operand.kind === 'list' ? operand.at : operand.value.at, where);
      if (field.list) {
        const test = listTest(op, member);
        return (cx) => {
          const v = read(cx) as readonly (string | number)[] | undefined;
          return v !== undefined && test(v);
        };
      }
      return (cx) => {
        const v = read(cx) as string | number | undefined;
        return v !== undefined && member(v);
      };
    }
    if (operand.kind === 'list') throw new ResolveError(`operator '${op}' takes one value, not a list`, operand.at, where);
    const test = scalarTest(op, operand.value, field.numeric, where);
    return (cx) => {
      const v = read(cx) as string | number | undefined;
      return v !== undefined && test(v);
    };
  }

  /** `field op val(other)`: both sides read from the same event. */
  private fieldComparison(expr: Extract<Expr, { kind: 'check' }>, field: CompiledField, where: string | undefined): Predicate {
    const operand = expr.operand as { kind: 'field'; field: FieldRef };
    const rhs = compileField(operand.field, this.slots, where);
    if (rhs.numeric !== field.numeric)
      throw new ResolveError(`'${field.text}' and '${rhs.text}' have different types and cannot be compared`, operand.field.at, where);
    const op = expr.op;
    const read = field.read;
    if (isListOperator(op)) {
      if (op === 'pmatch') throw new ResolveError("'pmatch' cannot compare with a field", operand.field.at, where);
      return (cx) => {
        const v = read(cx);
        const other = rhs.read(cx);
        if (v === undefined || other === undefined) return false;
        const set = new Set<string | number>(typeof other === 'object' ? other : [other]);
        const values: readonly (string | number)[] = typeof v === 'object' ? v : [v];
        return op === 'in' ? values.every((x) => set.has(x)) : values.some((x) => set.has(x));
      };
    }
    if (rhs.list)
      throw new ResolveError(`list field '${rhs.text}' can only be compared with 'in' or 'intersects'`, operand.field.at, where);
    // Check the operator once, at load, with a placeholder constant.
    scalarTest(op, { text: field.numeric ? '0' : '', quoted: true, at: expr.at }, field.numeric, where);
    return (cx) => {
      const v = read(cx) as string | number | undefined;
      const other = rhs.read(cx) as string | number | undefined;
      if (v === undefined || other === undefined) return false;
      return scalarTest(op, { text: String(other), quoted: true, at: expr.at }, field.numeric, where)(v);
    };
  }
}

function bodyOf(name: string, arg: string | undefined): BodyRead | undefined {
  const spec = FALCO_FIELDS.get(name);
  if (spec === undefined) return undefined;
  if (name.endsWith('.value') && arg !== undefined) {
    // jevt.value[/requestObject/...] reads the request body, [/responseObject/...] the response.
    if (/^\/?requestObject(?:\/|$)/.test(arg)) return 'request';
    if (/^\/?responseObject(?:\/|$)/.test(arg)) return 'response';
    return 'metadata';
  }
  return spec.reads;
}

/** The bodies a resolved condition reads (request, response), which decide the audit level its rule needs. */
export function bodiesRead(expr: Expr, into = new Set<BodyRead>()): Set<BodyRead> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const c of expr.children) bodiesRead(c, into);
      break;
    case 'not':
      bodiesRead(expr.child, into);
      break;
    case 'resolved-macro':
      bodiesRead(expr.body, into);
      break;
    case 'macro':
      break;
    case 'check': {
      const lhs = bodyOf(expr.field.name, expr.field.arg);
      if (lhs !== undefined) into.add(lhs);
      if (expr.operand?.kind === 'field') {
        const rhs = bodyOf(expr.operand.field.name, expr.operand.field.arg);
        if (rhs !== undefined) into.add(rhs);
      }
    }
  }
  return into;
}
