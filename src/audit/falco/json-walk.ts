/**
 * Reading parsed JSON the way Falco's k8saudit and json plugins read it (with fastjson): member
 * access that also indexes arrays by decimal keys, values turned into strings (a string as is,
 * anything else as compact JSON), and the plugin's recursive walk that fans out over arrays.
 */

/** A value the plugin cannot convert (for example a list field over a non-array): the check fails. */
export const WRONG_TYPE: unique symbol = Symbol('wrong type');
export type WrongType = typeof WRONG_TYPE;

/** fastjson `Value.Get(key)`: an object member, or an array element when the key is a decimal index. */
export function member(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (!/^[+-]?\d+$/.test(key)) return undefined;
    const n = Number(key);
    return n >= 0 && n < value.length ? (value[n] as unknown) : undefined;
  }
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** fastjson `Value.Get(keys…)`: undefined as soon as one step is missing. */
export function path(value: unknown, keys: readonly string[]): unknown {
  let v = value;
  for (const k of keys) {
    v = member(v, k);
    if (v === undefined) return undefined;
  }
  return v;
}

/** The plugin's `jsonValueAsString`: a string as is, any other value as compact JSON. */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Result of the recursive walk: the values found (undefined where an array element lacked the path), or nothing. */
export type Walked = unknown[] | undefined;

/**
 * The k8saudit plugin's `getValuesRecursive`: follow `keys`; on reaching an array, either go into
 * every element (no index: elements that lack the rest of the path give `undefined`), or into the
 * element at `index` only. An empty key stands for the value itself. Undefined when the path is
 * missing before any array.
 */
export function walk(value: unknown, index: number | undefined, keys: readonly string[]): Walked {
  let v = value;
  for (let i = 0; i < keys.length; i++) {
    if (Array.isArray(v)) {
      if (index === undefined) {
        const out: unknown[] = [];
        for (const element of v as unknown[]) {
          const found = walk(element, index, keys.slice(i));
          if (found === undefined) out.push(undefined);
          else out.push(...found);
        }
        return out;
      }
      if (index >= v.length) return undefined;
      v = v[index] as unknown;
    }
    const k = keys[i] as string;
    v = k === '' ? v : member(v, k);
    if (v === undefined) return undefined;
  }
  return [v];
}

/** `arrayAsStringsSkipNil`: the strings of the values found, skipping the missing ones. */
export function stringsSkippingMissing(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined) out.push(asString(v));
  return out;
}

/** `arrayAsStrings`: every value as a string, or WRONG_TYPE when one is missing. */
export function stringsOrWrongType(values: readonly unknown[]): string[] | WrongType {
  const out: string[] = [];
  for (const v of values) {
    if (v === undefined) return WRONG_TYPE;
    out.push(asString(v));
  }
  return out;
}

/**
 * RFC 6901 JSON pointer as the json plugin walks it: a leading `/` is dropped, the rest split on
 * `/`, `~1` and then `~0` unescaped, each step a fastjson member access.
 */
export function pointer(value: unknown, ptr: string): unknown {
  const text = ptr.startsWith('/') ? ptr.slice(1) : ptr;
  let v = value;
  for (const raw of text.split('/')) {
    v = member(v, raw.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (v === undefined) return undefined;
  }
  return v;
}
