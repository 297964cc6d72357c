import type { ASTNode } from '@marcbachmann/cel-js';

import type { AuditFunction } from './cel.js';

/**
 * A compiler from the CEL that detection rules use to plain JavaScript closures. cel-js walks its AST
 * with dynamic type resolution on every evaluation (microseconds per condition); rules run on every
 * candidate event, so the common subset (field selection, optional chaining, comparisons, `in`,
 * logic, `has`, `size`, string methods, `exists`/`all`, the audit functions) is compiled once to
 * closures that follow CEL's rules: a missing field or a type mismatch is an error, and `&&`/`||`
 * absorb errors commutatively. Anything outside the subset is left to cel-js (compile returns
 * undefined), and a value the fast path does not model at run time (`Bail`) makes the caller
 * evaluate that event with cel-js. Tests run every built-in condition through both and compare.
 */

/** A CEL evaluation error (missing key, wrong type). */
export const ERR: unique symbol = Symbol('cel-error');
/** Thrown when the fast path meets a value it does not model; the caller falls back to cel-js. */
export class Bail extends Error {}

/** An optional value (`a.?b`). */
class Opt {
  constructor(
    readonly present: boolean,
    readonly value: unknown,
  ) {}
}
const NONE = new Opt(false, undefined);

type Value = unknown;
type Scope = Readonly<Record<string, Value>>;
type Compiled = (vars: Scope) => Value;

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Opt);
}

function celEquals(a: Value, b: Value): boolean | typeof ERR {
  if (a === ERR || b === ERR) return ERR;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (celEquals(a[i], b[i]) !== true) return false;
    return true;
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || celEquals(a[k], b[k]) !== true) return false;
    return true;
  }
  return false;
}

function compare(op: string, a: Value, b: Value): Value {
  if (a === ERR || b === ERR) return ERR;
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return ERR;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function select(base: Value, key: string): Value {
  if (base === ERR) return ERR;
  if (base instanceof Opt) throw new Bail();
  if (!isMap(base)) return ERR;
  return Object.hasOwn(base, key) ? base[key] : ERR;
}

function optSelect(base: Value, key: string): Value {
  if (base === ERR) return ERR;
  if (base instanceof Opt) {
    if (!base.present) return NONE;
    base = base.value;
  }
  if (!isMap(base)) throw new Bail();
  return Object.hasOwn(base, key) ? new Opt(true, base[key]) : NONE;
}

function truth(v: Value): boolean | typeof ERR {
  return v === true ? true : v === false ? false : ERR;
}

interface CompileContext {
  readonly constants: Readonly<Record<string, readonly string[]>>;
  readonly functions: ReadonlyMap<string, AuditFunction>;
  /** Names bound by enclosing macros. */
  readonly bound: ReadonlySet<string>;
}

// The AST's `args` differ by operator; each case below reads the shape its operator has.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function argsOf<T>(node: ASTNode): T {
  return (node as unknown as { args: T }).args;
}

function compileNode(node: ASTNode, cx: CompileContext): Compiled | undefined {
  switch (node.op) {
    case 'value': {
      const v = argsOf<unknown>(node);
      if (typeof v === 'bigint') {
        const n = Number(v);
        return () => n;
      }
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return () => v;
      return undefined;
    }
    case 'id': {
      const name = argsOf<string>(node);
      if (cx.bound.has(name)) return (s) => s[name];
      // (scopes inside macros inherit the outer variables through their prototype, so `in` not hasOwn)
      const constant = cx.constants[name];
      if (constant !== undefined) return () => constant;
      if (['event', 'actor', 'object', 'response', 'previous'].includes(name)) return (s) => (name in s ? s[name] : ERR);
      return undefined;
    }
    case '.':
    case '.?': {
      const [baseNode, key] = argsOf<[ASTNode, string]>(node);
      const base = compileNode(baseNode, cx);
      if (base === undefined) return undefined;
      return node.op === '.' ? (s) => select(base(s), key) : (s) => optSelect(base(s), key);
    }
    case '[]':
    case '[?]': {
      const [baseNode, indexNode] = argsOf<[ASTNode, ASTNode]>(node);
      const base = compileNode(baseNode, cx);
      const index = compileNode(indexNode, cx);
      if (base === undefined || index === undefined) return undefined;
      const optional = node.op === '[?]';
      return (s) => {
        const b = base(s);
        const i = index(s);
        if (b === ERR || i === ERR) return ERR;
        if (optional) {
          if (typeof i !== 'string') throw new Bail();
          return optSelect(b, i);
        }
        if (Array.isArray(b) && typeof i === 'number' && Number.isInteger(i)) return i >= 0 && i < b.length ? (b[i] as Value) : ERR;
        if (isMap(b) && typeof i === 'string') return Object.hasOwn(b, i) ? b[i] : ERR;
        if (b instanceof Opt) throw new Bail();
        return ERR;
      };
    }
    case '&&':
    case '||': {
      const [l, r] = argsOf<[ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (l === undefined || r === undefined) return undefined;
      const shortOn = node.op === '||';
      return (s) => {
        const a = truth(l(s));
        if (a === shortOn) return shortOn;
        const b = truth(r(s));
        if (b === shortOn) return shortOn;
        return a === ERR || b === ERR ? ERR : !shortOn;
      };
    }
    case '!_': {
      const inner = compileNode(argsOf<ASTNode>(node), cx);
      if (inner === undefined) return undefined;
      return (s) => {
        const v = truth(inner(s));
        return v === ERR ? ERR : !v;
      };
    }
    case '?:': {
      const [c, a, b] = argsOf<[ASTNode, ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (c === undefined || a === undefined || b === undefined) return undefined;
      return (s) => {
        const v = truth(c(s));
        return v === ERR ? ERR : v ? a(s) : b(s);
      };
    }
    case '==':
    case '!=': {
      const [l, r] = argsOf<[ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (l === undefined || r === undefined) return undefined;
      const negate = node.op === '!=';
      return (s) => {
        const a = l(s);
        const b = r(s);
        if (a instanceof Opt || b instanceof Opt) throw new Bail();
        const eq = celEquals(a, b);
        return eq === ERR ? ERR : negate ? !eq : eq;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [l, r] = argsOf<[ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (l === undefined || r === undefined) return undefined;
      const op = node.op;
      return (s) => compare(op, l(s), r(s));
    }
    case 'in': {
      const [l, r] = argsOf<[ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (l === undefined || r === undefined) return undefined;
      return (s) => {
        const a = l(s);
        const b = r(s);
        if (a === ERR || b === ERR) return ERR;
        if (Array.isArray(b)) {
          for (const item of b) if (celEquals(a, item) === true) return true;
          return false;
        }
        if (isMap(b)) return typeof a === 'string' ? Object.hasOwn(b, a) : ERR;
        return ERR;
      };
    }
    case '+': {
      const [l, r] = argsOf<[ASTNode, ASTNode]>(node).map((n) => compileNode(n, cx));
      if (l === undefined || r === undefined) return undefined;
      return (s) => {
        const a = l(s);
        const b = r(s);
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        if (a === ERR || b === ERR) return ERR;
        throw new Bail();
      };
    }
    case 'list': {
      const items = argsOf<ASTNode[]>(node).map((n) => compileNode(n, cx));
      if (items.some((i) => i === undefined)) return undefined;
      const compiled = items as Compiled[];
      return (s) => {
        const out: Value[] = [];
        for (const c of compiled) {
          const v = c(s);
          if (v === ERR) return ERR;
          out.push(v);
        }
        return out;
      };
    }
    case 'map': {
      const entries = argsOf<[ASTNode, ASTNode][]>(node).map(([k, v]) => [compileNode(k, cx), compileNode(v, cx)] as const);
      if (entries.some(([k, v]) => k === undefined || v === undefined)) return undefined;
      return (s) => {
        const out: Record<string, Value> = {};
        for (const [k, v] of entries as unknown as [Compiled, Compiled][]) {
          const key = k(s);
          const value = v(s);
          if (key === ERR || value === ERR) return ERR;
          if (typeof key !== 'string') throw new Bail();
          out[key] = value;
        }
        return out;
      };
    }
    case 'call':
      return compileCall(node, cx);
    case 'rcall':
      return compileReceiverCall(node, cx);
    case '-_':
    case '-':
    case '*':
    case '/':
    case '%':
      // Arithmetic is left to cel-js (int/uint/double rules): no built-in rule needs it.
      return undefined;
  }
}

function compileCall(node: ASTNode, cx: CompileContext): Compiled | undefined {
  const [name, argNodes] = argsOf<[string, ASTNode[]]>(node);
  if (name === 'has') {
    const target = argNodes[0];
    if (argNodes.length !== 1 || target?.op !== '.') return undefined;
    const [baseNode, key] = argsOf<[ASTNode, string]>(target);
    const base = compileNode(baseNode, cx);
    if (base === undefined) return undefined;
    return (s) => {
      const b = base(s);
      if (b === ERR) return ERR;
      if (b instanceof Opt) throw new Bail();
      return isMap(b) ? Object.hasOwn(b, key) : ERR;
    };
  }
  const args = argNodes.map((n) => compileNode(n, cx));
  if (args.some((a) => a === undefined)) return undefined;
  const compiled = args as Compiled[];
  if (name === 'size' && compiled.length === 1) {
    const arg = compiled[0] as Compiled;
    return (s) => {
      const v = arg(s);
      // CEL sizes strings in code points.
      // eslint-disable-next-line @typescript-eslint/no-misused-spread
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      if (v instanceof Opt) throw new Bail();
      return ERR;
    };
  }
  if (name === 'dyn' && compiled.length === 1) return compiled[0];
  const fn = cx.functions.get(name);
  if (fn?.args.length !== compiled.length) return undefined;
  const impl = fn.impl as (...a: unknown[]) => unknown;
  return (s) => {
    const values: unknown[] = [];
    for (let i = 0; i < compiled.length; i++) {
      const v = (compiled[i] as Compiled)(s);
      if (v === ERR) return ERR;
      if (v instanceof Opt) throw new Bail();
      const kind = fn.args[i];
      if ((kind === 'string' && typeof v !== 'string') || (kind === 'list' && !Array.isArray(v))) return ERR;
      values.push(v);
    }
    return impl(...values);
  };
}

function compileReceiverCall(node: ASTNode, cx: CompileContext): Compiled | undefined {
  const [name, targetNode, argNodes] = argsOf<[string, ASTNode, ASTNode[]]>(node);
  if (name === 'exists' || name === 'all') {
    const [varNode, predicateNode] = argNodes;
    if (argNodes.length !== 2 || varNode?.op !== 'id' || predicateNode === undefined) return undefined;
    const variable = argsOf<string>(varNode);
    const target = compileNode(targetNode, cx);
    const predicate = compileNode(predicateNode, { ...cx, bound: new Set([...cx.bound, variable]) });
    if (target === undefined || predicate === undefined) return undefined;
    const wanted = name === 'exists';
    return (s) => {
      const t = target(s);
      if (t === ERR) return ERR;
      if (t instanceof Opt) throw new Bail();
      const items = Array.isArray(t) ? t : isMap(t) ? Object.keys(t) : undefined;
      if (items === undefined) return ERR;
      let error = false;
      // One child scope per call; the macro variable shadows outer names through the prototype.
      const scope = Object.create(s) as Record<string, Value>;
      for (const item of items) {
        scope[variable] = item;
        const v = truth(predicate(scope));
        if (v === wanted) return wanted;
        if (v === ERR) error = true;
      }
      return error ? ERR : !wanted;
    };
  }
  const target = compileNode(targetNode, cx);
  const args = argNodes.map((n) => compileNode(n, cx));
  if (target === undefined || args.some((a) => a === undefined)) return undefined;
  const compiled = args as Compiled[];
  if (name === 'orValue' && compiled.length === 1) {
    const fallback = compiled[0] as Compiled;
    return (s) => {
      const t = target(s);
      if (t === ERR) return ERR;
      if (!(t instanceof Opt)) throw new Bail();
      return t.present ? t.value : fallback(s);
    };
  }
  if (name === 'hasValue' && compiled.length === 0)
    return (s) => {
      const t = target(s);
      if (t === ERR) return ERR;
      if (!(t instanceof Opt)) throw new Bail();
      return t.present;
    };
  if (['startsWith', 'endsWith', 'contains', 'split'].includes(name) && compiled.length === 1) {
    const arg = compiled[0] as Compiled;
    return (s) => {
      const t = target(s);
      const a = arg(s);
      if (t === ERR || a === ERR) return ERR;
      if (t instanceof Opt || a instanceof Opt) throw new Bail();
      if (typeof t !== 'string' || typeof a !== 'string') return ERR;
      if (name === 'startsWith') return t.startsWith(a);
      if (name === 'endsWith') return t.endsWith(a);
      if (name === 'contains') return t.includes(a);
      return t.split(a);
    };
  }
  return undefined;
}

/**
 * Compile a parsed condition to a closure, or undefined when it uses CEL this compiler leaves to
 * cel-js. The closure returns the value, ERR, or throws Bail.
 */
export function compileFast(
  ast: ASTNode,
  constants: Readonly<Record<string, readonly string[]>>,
  functions: readonly AuditFunction[],
): Compiled | undefined {
  return compileNode(ast, { constants, functions: new Map(functions.map((f) => [f.name, f])), bound: new Set() });
}
