/**
 * String matching as libsinsp does it for Falco conditions: `glob` is fnmatch(3) without flags
 * (`*` crosses `/`, a leading dot is not special, `\` escapes), `pmatch` a component-wise path
 * prefix whose components may hold glob wildcards, `regex` a full match, `icontains` ASCII
 * case-insensitive (strcasestr).
 */

const CLASSES: Readonly<Record<string, string>> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

const escapeRegex = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** The body of a bracket expression starting after `[`, as a RegExp class, and where it ends; undefined when unclosed. */
function bracket(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === ']' && !first) return { source: `[${negate ? '^' : ''}${body}]`, end: i + 1 };
    first = false;
    if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      const cls = close === -1 ? undefined : CLASSES[pattern.slice(i + 2, close)];
      if (cls !== undefined) {
        body += cls;
        i = close + 2;
        continue;
      }
    }
    if (c === '\\' && i + 1 < pattern.length) {
      body += escapeRegex(pattern[i + 1] as string);
      i += 2;
      continue;
    }
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      body += `${escapeRegex(c)}-${escapeRegex(pattern[i + 2] as string)}`;
      i += 3;
      continue;
    }
    body += escapeRegex(c);
    i++;
  }
  return undefined;
}

/** fnmatch(3) pattern (no flags) as an anchored RegExp; `ignoreCase` for `iglob`. */
export function globRegExp(pattern: string, ignoreCase = false): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i] as string);
    else if (c === '[') {
      const b = bracket(pattern, i + 1);
      if (b === undefined) source += '\\[';
      else {
        source += b.source;
        i = b.end - 1;
      }
    } else source += escapeRegex(c);
  }
  return new RegExp(`^(?:${source})$`, ignoreCase ? 'i' : '');
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/**
 * `pmatch`: true when one of the paths is a prefix of `value`, component by component
 * (`/tmp/hello` matches `/tmp/hello` and `/tmp/hello/world`, not `/tmp/hello_world`); a component
 * of the paths may hold glob wildcards, which do not cross `/`.
 */
export function compilePathPrefixes(paths: readonly string[]): (value: string) => boolean {
  const compiled = paths.map((p) => components(p).map((c) => (/[*?[\\]/.test(c) ? globRegExp(c) : c)));
  return (value) => {
    const parts = components(value);
    return compiled.some((prefix) => {
      if (prefix.length > parts.length) return false;
      for (let i = 0; i < prefix.length; i++) {
        const want = prefix[i] as string | RegExp;
        const part = parts[i] as string;
        if (typeof want === 'string' ? want !== part : !want.test(part)) return false;
      }
      return true;
    });
  };
}

/**
 * `regex`: a full match of a POSIX extended regular expression (libsinsp uses RE2 in POSIX mode);
 * POSIX character classes are translated. Throws SyntaxError for a pattern that does not compile.
 */
export function fullMatchRegExp(pattern: string): RegExp {
  const translated = pattern.replace(/\[:([a-z]+):\]/g, (whole, name: string) => CLASSES[name] ?? whole);
  return new RegExp(`^(?:${translated})$`);
}

/** ASCII lower case, as C's tolower on each byte. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** ASCII upper case, as C's toupper on each byte. */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

/** strcmp on the UTF-8 bytes: negative, zero or positive. */
export function byteCompare(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
