/**
 * JSON Pointers (RFC 6901) locate a field inside an object; checks report them, and findings show
 * them to people as kubectl-style field paths (`spec.containers[0].image`).
 */

/** Escape one reference token. */
export function escapePointerToken(token: string | number): string {
  const text = String(token);
  // Most tokens (field names, indexes) need no escaping: skip the two copies.
  if (!text.includes('~') && !text.includes('/')) return text;
  return text.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Build a pointer from tokens: `['spec', 'containers', 0]` → `/spec/containers/0`. */
export function pointerOf(...tokens: readonly (string | number)[]): string {
  let out = '';
  for (const token of tokens) out += `/${escapePointerToken(token)}`;
  return out;
}

/** Append tokens to an existing pointer. */
export function appendPointer(base: string, ...tokens: readonly (string | number)[]): string {
  return base + pointerOf(...tokens);
}

/** Split a pointer into unescaped tokens. `''` is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`);
  const tokens = pointer.slice(1).split('/');
  // Without `~` there is nothing to unescape (the usual case): no copy of every token.
  return pointer.includes('~') ? tokens.map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~')) : tokens;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Render a pointer as a field path. Numeric tokens become `[i]` (object keys that look like numbers
 * are rare in Kubernetes objects, and the pointer stays available for the exact form); keys that are
 * not plain identifiers (annotation keys, label keys) are quoted: `metadata.annotations["a.b/c"]`.
 */
export function fieldPathOf(pointer: string): string {
  let out = '';
  for (const token of parsePointer(pointer)) {
    if (INDEX.test(token)) out += `[${token}]`;
    else if (IDENTIFIER.test(token)) out += out === '' ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

/** Read the value at `pointer` in `root`, or undefined when any step is missing. */
export function valueAt(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) {
      if (!INDEX.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.hasOwn(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
