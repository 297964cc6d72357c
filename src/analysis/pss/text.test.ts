import { describe, expect, it } from 'vitest';

import { compareBytes, containersPhrase, goQuote, plural, quoteList, settersPhrase, sortedSet } from './text.js';

describe('upstream text helpers', () => {
  it('sorts in Go byte order: uppercase before lowercase, astral characters after the rest of the BMP', () => {
    expect(['seccompProfile_baseline', 'seLinuxOptions', 'b', 'B', 'a'].sort(compareBytes)).toEqual([
      'B',
      'a',
      'b',
      'seLinuxOptions',
      'seccompProfile_baseline',
    ]);
    expect(['\u{1F600}', '\uFF01'].sort(compareBytes)).toEqual(['\uFF01', '\u{1F600}']);
    expect(sortedSet(['12346', '8080', '12345', '8080'])).toEqual(['12345', '12346', '8080']);
  });

  it('quotes, pluralises and names setters like upstream', () => {
    expect(quoteList(['a', 'b'])).toBe('"a", "b"');
    expect(quoteList([])).toBe('');
    expect(plural('type', 'types', 1)).toBe('type');
    expect(plural('type', 'types', 0)).toBe('types');
    expect(containersPhrase(['x'])).toBe('container "x"');
    expect(settersPhrase(true, ['a', 'b'])).toBe('pod and containers "a", "b"');
    expect(settersPhrase(false, [])).toBe('');
  });

  it('quotes like Go %q', () => {
    expect(goQuote('unconfined')).toBe('"unconfined"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('x\ny\t\u0000\u007f')).toBe('"x\\ny\\t\\x00\\x7f"');
    expect(goQuote('héllo ✓')).toBe('"héllo ✓"');
    expect(goQuote('\u00a0\u200b')).toBe('"\\u00a0\\u200b"');
    expect(goQuote('\u{E0001}')).toBe('"\\U000e0001"');
  });
});
