/**
 * The syntax tree of a Falco condition (libsinsp's filter grammar). Nodes are immutable so that a
 * macro's tree can be shared by every rule that uses it and compiled once. `at` is the 0-based
 * offset in the condition text where the node starts, for error messages.
 */

/** Field transformers of the left-hand side, and of a field on the right-hand side. */
export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export type Transformer = (typeof TRANSFORMERS)[number];

/** `field`, `field[arg]`, or transformers around one (`tolower(ka.user.name)`), outermost first. */
export interface FieldRef {
  readonly name: string;
  readonly arg: string | undefined;
  readonly transformers: readonly Transformer[];
  readonly at: number;
}

/** A value as written: a bare word or a quoted string (already unescaped). */
export interface ValueToken {
  readonly text: string;
  readonly quoted: boolean;
  readonly at: number;
}

/** The right-hand side of a check. */
export type Operand =
  /** One value (`= nginx`); for list operators, an identifier written without parentheses. */
  | { readonly kind: 'value'; readonly value: ValueToken }
  /** `(a, b, "c d")`. */
  | { readonly kind: 'list'; readonly items: readonly ValueToken[]; readonly at: number }
  /** `val(field)` or a transformer around a field: compare with another field of the same event. */
  | { readonly kind: 'field'; readonly field: FieldRef };

/** Operators of a check, as libsinsp spells them. */
export const UNARY_OPERATORS = ['exists'] as const;
export const NUMERIC_OPERATORS = ['<=', '<', '>=', '>'] as const;
export const STRING_OPERATORS = [
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
] as const;
export const LIST_OPERATORS = ['intersects', 'in', 'pmatch'] as const;
export type Operator =
  | (typeof UNARY_OPERATORS)[number]
  | (typeof NUMERIC_OPERATORS)[number]
  | (typeof STRING_OPERATORS)[number]
  | (typeof LIST_OPERATORS)[number];

export type Expr =
  | { readonly kind: 'and'; readonly children: readonly Expr[]; readonly at: number }
  | { readonly kind: 'or'; readonly children: readonly Expr[]; readonly at: number }
  | { readonly kind: 'not'; readonly child: Expr; readonly at: number }
  /** A bare identifier: a macro reference. */
  | { readonly kind: 'macro'; readonly name: string; readonly at: number }
  /** A macro reference after resolution: the macro's own (shared, resolved) tree. Never parsed. */
  | { readonly kind: 'resolved-macro'; readonly name: string; readonly at: number; readonly body: Expr }
  | {
      readonly kind: 'check';
      readonly field: FieldRef;
      readonly op: Operator;
      /** Absent for `exists`. */
      readonly operand: Operand | undefined;
      readonly at: number;
    };

/** True for `in`, `intersects` and `pmatch`, whose right-hand side is a set of values. */
export function isListOperator(op: Operator): op is (typeof LIST_OPERATORS)[number] {
  return (LIST_OPERATORS as readonly string[]).includes(op);
}

/** The field reference as written (`tolower(ka.user.name)`, `jevt.value[/stage]`), for messages. */
export function fieldRefText(field: FieldRef): string {
  let text = field.arg === undefined ? field.name : `${field.name}[${field.arg}]`;
  for (let i = field.transformers.length - 1; i >= 0; i--) text = `${field.transformers[i] as string}(${text})`;
  return text;
}
