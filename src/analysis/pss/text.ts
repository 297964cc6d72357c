/**
 * Text helpers that reproduce how the upstream PodSecurity admission controller formats reasons and
 * details (k8s.io/pod-security-admission/policy helpers): quoted lists, plurals, Go byte-order sorting
 * and Go `%q` quoting. Users compare Vigil's messages with kubectl's, so these must match exactly.
 */

/** Code-unit key that orders like UTF-8 bytes (Go's `sort.Strings`): surrogates sort above the rest of the BMP. */
function unitKey(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

/** Compare strings in UTF-8 byte order, as Go sorts them (not `localeCompare`). */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

/** Distinct values in Go byte order (a Go `sets.String` listed). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareBytes);
}

/** `"a", "b"`: each item in double quotes (not escaped), joined by `, `. */
export function quoteList(items: readonly string[]): string {
  return items.map((item) => `"${item}"`).join(', ');
}

/** The singular form for exactly one, the plural otherwise. */
export function plural(singular: string, pluralForm: string, count: number): string {
  return count === 1 ? singular : pluralForm;
}

/** `container "a"` or `containers "a", "b"`, in the order given. */
export function containersPhrase(names: readonly string[]): string {
  return `${plural('container', 'containers', names.length)} ${quoteList(names)}`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/**
 * Go's `strconv.Quote` (what `%q` prints): printable Unicode is kept, `"` and `\` are escaped, control
 * characters become `\n`, `\x00`, `\u00a0`…; a lone surrogate (invalid UTF-8 once decoded) is U+FFFD.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    let cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const escape = ESCAPES[cp];
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) out += String.fromCodePoint(cp);
    else if (escape !== undefined) out += escape;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (PRINTABLE.test(String.fromCodePoint(cp))) out += String.fromCodePoint(cp);
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** `pod`, `container "a"`, `pod and containers "a", "b"`: who set a forbidden value, pod first. */
export function settersPhrase(pod: boolean, containers: readonly string[]): string {
  const setters: string[] = [];
  if (pod) setters.push('pod');
  if (containers.length > 0) setters.push(containersPhrase(containers));
  return setters.join(' and ');
}
