import type { Expr, Operand, ValueToken } from './condition-ast.js';
import { isListOperator } from './condition-ast.js';
import { ConditionSyntaxError, parseValueSequence } from './condition-parser.js';

/** A list after list-in-list expansion, ready to be put in conditions. */
export interface CompiledList {
  readonly name: string;
  /** Position of the first definition: lists are substituted in this order. */
  readonly index: number;
  /** Items as they are written into a condition (with Falco's quoting of items holding a space). */
  readonly items: readonly string[];
}

/** A problem found while resolving: the message, the offset in the text, and the macro whose text it is (if not the rule's). */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';

  constructor(
    message: string,
    readonly offset: number,
    readonly macro: string | undefined,
  ) {
    super(message);
  }
}

/** Falco's `quote_item`: an item holding a space is wrapped in double quotes, unless it starts with a quote. */
export function quoteItem(item: string): string {
  return item.includes(' ') && !item.startsWith('"') && !item.startsWith("'") ? `"${item}"` : item;
}

/**
 * Expand list names in value tokens the way Falco does (rule_loader_compiler.cpp `resolve_list`):
 * each list, in order of first definition, replaces every bare token equal to its name with its
 * items, as text. Items put in by one list are seen by the lists after it, not by those before,
 * and quoted tokens are never list names. A name that is no list stays a literal string.
 */
export function expandTokens(tokens: readonly ValueToken[], lists: readonly CompiledList[], names: ReadonlySet<string>): ValueToken[] {
  if (!tokens.some((t) => !t.quoted && names.has(t.text))) return [...tokens];
  let items = [...tokens];
  for (const list of lists) {
    if (!items.some((t) => !t.quoted && t.text === list.name)) continue;
    const next: ValueToken[] = [];
    for (const t of items) {
      if (t.quoted || t.text !== list.name) {
        next.push(t);
        continue;
      }
      let substituted: ValueToken[];
      try {
        substituted = parseValueSequence(list.items.join(', '));
      } catch (err: unknown) {
        if (!(err instanceof ConditionSyntaxError)) throw err;
        throw new ResolveError(`the items of list '${list.name}' do not read as values in a condition: ${err.message}`, t.at, undefined);
      }
      for (const s of substituted) next.push({ ...s, at: t.at });
    }
    items = next;
  }
  return items;
}

const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

function expandOperand(operand: Operand, listOp: boolean, lists: readonly CompiledList[], names: ReadonlySet<string>): Operand {
  if (operand.kind === 'field') return operand;
  if (operand.kind === 'list') {
    const items = expandTokens(operand.items, lists, names);
    return items.length === operand.items.length && items.every((t, i) => t === operand.items[i]) ? operand : { ...operand, items };
  }
  const token = operand.value;
  if (token.quoted || !names.has(token.text)) return operand;
  const items = expandTokens([token], lists, names);
  // Falco substitutes the text, so `= my_list` reads only when the list holds exactly one value,
  // and `in my_list` (no parentheses) only when that value is an identifier.
  const only = items[0];
  if (items.length !== 1 || only === undefined || (listOp && (only.quoted || !IDENTIFIER.test(only.text))))
    throw new ResolveError(
      `list '${token.text}' used as a single value expands to ${items.length} value(s), which does not parse; write it in parentheses: (${token.text})`,
      token.at,
      undefined,
    );
  return { kind: 'value', value: only };
}

/** Expand list names in every value of a parsed condition; throws ResolveError for a list used where only a macro can be. */
export function expandLists(expr: Expr, lists: readonly CompiledList[], names: ReadonlySet<string>): Expr {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const children = expr.children.map((c) => expandLists(c, lists, names));
      return children.every((c, i) => c === expr.children[i]) ? expr : { ...expr, children };
    }
    case 'not': {
      const child = expandLists(expr.child, lists, names);
      return child === expr.child ? expr : { ...expr, child };
    }
    case 'macro':
      if (names.has(expr.name))
        throw new ResolveError(
          `'${expr.name}' is a list: a list is used inside the values of a check, as in \`field in (${expr.name})\``,
          expr.at,
          undefined,
        );
      return expr;
    case 'resolved-macro':
      return expr;
    case 'check': {
      if (expr.operand === undefined) return expr;
      const operand = expandOperand(expr.operand, isListOperator(expr.op), lists, names);
      return operand === expr.operand ? expr : { ...expr, operand };
    }
  }
}

/** A macro ready for resolution: its parsed (list-expanded) tree and where it may look. */
export interface MacroEntry {
  readonly name: string;
  readonly index: number;
  readonly visibility: number;
  /** Undefined when its condition did not parse (references to it then fail). */
  readonly tree: Expr | undefined;
}

/**
 * Resolves macro references as Falco does (filter_macro_resolver): macros are resolved in order of
 * first definition, each seeing only the macros first defined before its own last (re)definition,
 * and always in their final definition. Rules see every macro. A macro's resolved tree is shared by
 * every rule that uses it.
 */
export class MacroResolver {
  private readonly byName = new Map<string, MacroEntry>();
  private readonly current = new Map<string, Expr>();
  private readonly failed = new Map<string, ResolveError | undefined>();

  /** `macros` in order of first definition. Problems of each macro are returned with its name. */
  constructor(macros: readonly MacroEntry[], onError: (macro: string, error: ResolveError | undefined) => void) {
    for (const m of macros) this.byName.set(m.name, m);
    for (const m of macros) {
      if (m.tree === undefined) {
        this.failed.set(m.name, undefined);
        continue;
      }
      this.current.set(m.name, m.tree);
    }
    for (const m of macros) {
      const tree = this.current.get(m.name);
      if (tree === undefined) continue;
      try {
        this.current.set(m.name, this.substitute(tree, m.visibility, [m.name]));
      } catch (err: unknown) {
        if (!(err instanceof ResolveError)) throw err;
        this.current.delete(m.name);
        this.failed.set(m.name, err);
        onError(m.name, err);
      }
    }
  }

  /** Resolve a rule's condition (every macro visible). */
  resolveRule(tree: Expr): Expr {
    return this.substitute(tree, Number.POSITIVE_INFINITY, []);
  }

  private substitute(expr: Expr, visibility: number, stack: readonly string[]): Expr {
    switch (expr.kind) {
      case 'and':
      case 'or': {
        const children = expr.children.map((c) => this.substitute(c, visibility, stack));
        return children.every((c, i) => c === expr.children[i]) ? expr : { ...expr, children };
      }
      case 'not': {
        const child = this.substitute(expr.child, visibility, stack);
        return child === expr.child ? expr : { ...expr, child };
      }
      case 'check':
      case 'resolved-macro':
        return expr;
      case 'macro': {
        const where = stack.at(-1);
        const entry = this.byName.get(expr.name);
        if (entry === undefined || entry.index >= visibility)
          throw new ResolveError(`Undefined macro '${expr.name}' used in filter.`, expr.at, where);
        if (stack.includes(expr.name)) throw new ResolveError(`reference loop in macro '${expr.name}'`, expr.at, where);
        if (this.failed.has(expr.name))
          throw new ResolveError(`macro '${expr.name}' could not be compiled (see its error)`, expr.at, where);
        const body = this.current.get(expr.name) as Expr;
        return { kind: 'resolved-macro', name: expr.name, at: expr.at, body: this.substitute(body, visibility, [...stack, expr.name]) };
      }
    }
  }
}
