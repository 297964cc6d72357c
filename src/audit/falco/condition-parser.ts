import {
  LIST_OPERATORS,
  NUMERIC_OPERATORS,
  STRING_OPERATORS,
  TRANSFORMERS,
  UNARY_OPERATORS,
  type Expr,
  type FieldRef,
  type Operand,
  type Operator,
  type ValueToken,
} from './condition-ast.js';

/** A condition that does not parse: what is wrong, and the 0-based offset where the parser stopped. */
export class ConditionSyntaxError extends Error {
  override readonly name = 'ConditionSyntaxError';

  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** 1-based line and column of an offset in a condition, counted as libsinsp counts them (`\r` and `\n` start a line). */
export function conditionPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

// Tokens of libsinsp's filter grammar (userspace/libsinsp/filter/parser.h), as sticky regexes.
const NOT_BLANK = /not[ \b\t\n\r]+/y;
const IDENTIFIER = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const FIELD_NAME = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const FIELD_ARG_BARE = /[^\][\s"']+/y;
const HEX_NUMBER = /0[xX][0-9a-zA-Z]+/y;
const NUMBER = /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;
const BARE_STRING = /[^()"'\s=,]+/y;

// Word operators must be followed by a space ("contains "), symbols need nothing: libsinsp matches
// the operator strings literally, in this order.
const STRING_OPERATOR_TOKENS = STRING_OPERATORS.map((op) => (/^[a-z]/.test(op) ? `${op} ` : op));
const MAX_DEPTH = 1000;

/**
 * Parse a Falco condition into a tree, following libsinsp's recursive-descent parser: `or` binds
 * looser than `and`, which binds looser than `not`; `and`/`or` need a blank or `(` after them; word
 * operators need a space after them; values are bare words or quoted strings with C-like escapes.
 * Throws ConditionSyntaxError with the offset where parsing stopped.
 */
export function parseCondition(text: string): Expr {
  return new Parser(text).parse();
}

/**
 * Values separated by commas (`a, "b c", d`), as they read when a list's items are put in place of
 * its name in a condition: the items of a Falco list are substituted as text, so an item holding a
 * comma gives two values. Empty text gives none.
 */
export function parseValueSequence(text: string): ValueToken[] {
  return new Parser(text).parseSequence();
}

class Parser {
  private pos = 0;
  private last = '';
  private depth = 0;

  constructor(private readonly input: string) {}

  parse(): Expr {
    if (this.input.length === 0) throw new ConditionSyntaxError('filter input string is empty', 0);
    const expr = this.parseOr();
    if (this.pos !== this.input.length)
      throw new ConditionSyntaxError(`unexpected token after '${this.last}', expecting 'or', 'and'`, this.pos);
    return expr;
  }

  parseSequence(): ValueToken[] {
    const out: ValueToken[] = [];
    this.blank();
    if (this.pos === this.input.length) return out;
    out.push(this.strToken());
    this.blank();
    while (this.str(',')) {
      out.push(this.strToken());
      this.blank();
    }
    if (this.pos !== this.input.length) this.fail(`unexpected token after '${this.last}'`);
    return out;
  }

  private fail(message: string): never {
    throw new ConditionSyntaxError(message, this.pos);
  }

  private push(): void {
    if (++this.depth >= MAX_DEPTH) this.fail(`exceeded max depth limit of ${MAX_DEPTH}`);
  }

  private pop(): void {
    this.depth--;
  }

  private blank(): boolean {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input[this.pos];
      if (c === ' ' || c === '\t' || c === '\b' || c === '\r' || c === '\n') this.pos++;
      else break;
    }
    return this.pos > start;
  }

  private str(token: string): boolean {
    if (this.input.startsWith(token, this.pos)) {
      this.last = token;
      this.pos += token.length;
      return true;
    }
    return false;
  }

  private rgx(re: RegExp): boolean {
    re.lastIndex = this.pos;
    const m = re.exec(this.input);
    if (m === null) return false;
    this.last = m[0];
    this.pos += m[0].length;
    return true;
  }

  private parseLogical(word: 'or' | 'and', next: () => Expr): Expr {
    this.push();
    this.blank();
    const at = this.pos;
    const children = [next()];
    this.blank();
    while (this.str(word)) {
      let child: Expr;
      if (!this.blank()) {
        if (this.str('(')) child = this.parseEmbeddedRemainder();
        else this.fail(`expected blank or '(' after '${word}'`);
      } else child = next();
      children.push(child);
      this.blank();
    }
    this.pop();
    if (children.length === 1) return children[0] as Expr;
    return { kind: word, children, at };
  }

  private parseOr(): Expr {
    return this.parseLogical('or', () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseLogical('and', () => this.parseNot());
  }

  private parseNot(): Expr {
    this.push();
    this.blank();
    const at = this.pos;
    let negate = false;
    while (this.rgx(NOT_BLANK)) negate = !negate;
    let child: Expr;
    if (this.str('not(')) {
      negate = !negate;
      child = this.parseEmbeddedRemainder();
    } else child = this.parseCheck();
    this.pop();
    return negate ? { kind: 'not', child, at } : child;
  }

  /** The rest of a parenthesised expression, after its `(`. */
  private parseEmbeddedRemainder(): Expr {
    this.push();
    this.blank();
    const child = this.parseOr();
    this.blank();
    if (!this.str(')')) this.fail("expected a ')' token");
    this.pop();
    return child;
  }

  private parseCheck(): Expr {
    this.push();
    this.blank();
    const at = this.pos;
    if (this.str('(')) {
      const child = this.parseEmbeddedRemainder();
      this.pop();
      return child;
    }
    const field = this.parseFieldOrTransformer();
    if (field !== undefined) {
      this.blank();
      if (this.strList(UNARY_OPERATORS)) {
        this.pop();
        return { kind: 'check', field, op: 'exists', operand: undefined, at };
      }
      this.blank();
      let op: Operator;
      let operand: Operand;
      if (this.strList(NUMERIC_OPERATORS)) {
        op = this.last as Operator;
        operand = this.parseNumValue();
      } else if (this.strList(STRING_OPERATOR_TOKENS)) {
        op = this.last.trim() as Operator;
        operand = this.parseStrValue();
      } else if (this.strList(LIST_OPERATORS)) {
        op = this.last as Operator;
        operand = this.parseListValue();
      } else {
        const ops = [...UNARY_OPERATORS, ...NUMERIC_OPERATORS, ...STRING_OPERATORS, ...LIST_OPERATORS].map((o) => `'${o}'`).join(', ');
        this.fail(`expected a valid check operator: one of ${ops}`);
      }
      this.pop();
      return { kind: 'check', field, op, operand, at };
    }
    if (this.rgx(IDENTIFIER)) {
      this.pop();
      return { kind: 'macro', name: this.last, at };
    }
    this.fail("expected a '(' token, a field check, or an identifier");
  }

  private strList(tokens: readonly string[]): boolean {
    for (const t of tokens) if (this.str(t)) return true;
    return false;
  }

  /** `field`, `field[arg]`, or `transformer(…)`; undefined (nothing consumed) when neither is there. */
  private parseFieldOrTransformer(): FieldRef | undefined {
    const at = this.pos;
    for (const t of TRANSFORMERS) {
      if (this.input.startsWith(`${t}(`, this.pos)) {
        this.pos += t.length + 1;
        this.last = `${t}(`;
        this.blank();
        const inner = this.parseFieldOrTransformer();
        if (inner === undefined) this.fail(`expected a field or a transformer inside '${t}('`);
        this.blank();
        if (!this.str(')')) this.fail("expected a ')' token");
        return { ...inner, transformers: [t, ...inner.transformers], at };
      }
    }
    if (!this.rgx(FIELD_NAME)) return undefined;
    const name = this.last;
    let arg: string | undefined;
    if (this.str('[')) {
      if (!this.quoted() && !this.rgx(FIELD_ARG_BARE)) this.fail('expected a valid field argument: a quoted string or a bare string');
      arg = this.last;
      if (!this.str(']')) this.fail("expected a ']' token");
    }
    return { name, arg, transformers: [], at };
  }

  private parseNumValue(): Operand {
    this.push();
    this.blank();
    const at = this.pos;
    const field = this.parseFieldValue();
    if (field !== undefined) {
      this.pop();
      return field;
    }
    if (this.rgx(HEX_NUMBER) || this.rgx(NUMBER)) {
      this.pop();
      return { kind: 'value', value: { text: this.last, quoted: false, at } };
    }
    this.fail('expected a number value');
  }

  private parseStrValue(): Operand {
    this.push();
    this.blank();
    const field = this.parseFieldValue();
    this.pop();
    return field ?? { kind: 'value', value: this.strToken() };
  }

  private strToken(): ValueToken {
    this.blank();
    const at = this.pos;
    if (this.quoted()) return { text: this.last, quoted: true, at };
    if (this.rgx(BARE_STRING)) return { text: this.last, quoted: false, at };
    this.fail('expected a string value');
  }

  /** `val(field)` or `transformer(field)` on the right-hand side. */
  private parseFieldValue(): Operand | undefined {
    if (this.str('val(')) {
      this.blank();
      const field = this.parseFieldOrTransformer();
      if (field === undefined) this.fail("expected a field inside 'val('");
      this.blank();
      if (!this.str(')')) this.fail("expected a ')' token");
      return { kind: 'field', field };
    }
    if (TRANSFORMERS.some((t) => this.input.startsWith(`${t}(`, this.pos))) {
      const field = this.parseFieldOrTransformer();
      if (field !== undefined) return { kind: 'field', field };
    }
    return undefined;
  }

  private parseListValue(): Operand {
    this.push();
    this.blank();
    const at = this.pos;
    if (this.str('(')) {
      const items: ValueToken[] = [];
      this.blank();
      const mark = this.pos;
      let first: ValueToken | undefined;
      try {
        first = this.strToken();
      } catch (err: unknown) {
        if (!(err instanceof ConditionSyntaxError)) throw err;
        // An empty list: libsinsp tries a value and accepts `()` when there is none.
        this.pos = mark;
      }
      if (first !== undefined) {
        items.push(first);
        this.blank();
        while (this.str(',')) {
          items.push(this.strToken());
          this.blank();
        }
      }
      if (!this.str(')')) this.fail("expected a ')' token");
      this.pop();
      return { kind: 'list', items, at };
    }
    const field = this.parseFieldValue();
    if (field !== undefined) {
      this.pop();
      return field;
    }
    if (this.rgx(IDENTIFIER)) {
      this.pop();
      return { kind: 'value', value: { text: this.last, quoted: false, at } };
    }
    this.fail('expected a list or an identifier');
  }

  /**
   * A quoted string. As in libsinsp, a delimiter preceded by a backslash does not close the string,
   * and the content is then unescaped (`\\`, `\"`, `\'`, `\n`, `\t`, `\r`, `\b`, `\f`, `\/`, `\xHH`).
   */
  private quoted(): boolean {
    const delimiter = this.input[this.pos];
    if (delimiter !== '"' && delimiter !== "'") return false;
    let prev = '\\';
    for (let i = this.pos; i < this.input.length; i++) {
      const c = this.input[i] as string;
      if (c === delimiter && prev !== '\\') {
        const raw = this.input.slice(this.pos, i + 1);
        const start = this.pos;
        this.pos = i + 1;
        this.last = unescape(raw, start);
        return true;
      }
      prev = c;
    }
    return false;
  }
}

function unescape(raw: string, at: number): string {
  let out = '';
  const end = raw.length - 1;
  for (let i = 1; i < end; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case ' ':
      case '\\':
        // A backslash before a space stays a backslash (libsinsp keeps old, wrongly escaped rules working).
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case '"':
      case "'":
        if (e !== raw[0]) throw new ConditionSyntaxError(`invalid \\${e} escape in ${raw[0] as string}-quoted string`, at + i);
        out += e;
        break;
      case 'x': {
        const hex = raw.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ConditionSyntaxError('\\x must be followed by two hexadecimal digits', at + i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      case undefined:
      default:
        throw new ConditionSyntaxError(`unsupported string escape sequence: \\${e ?? ''}`, at + i);
    }
  }
  return out;
}
