import { describe, expect, it } from 'vitest';

import { cidrsOfRange, formatIp, formatRange, parseCidr, parseIp, rangeContains } from './ip.js';

describe('parseIp', () => {
  it.each([
    ['10.0.0.1', 4, 0x0a000001n],
    ['0.0.0.0', 4, 0n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['fd00::1', 6, 0xfd000000000000000000000000000001n],
    ['2001:db8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
  ])('reads %s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(['256.0.0.1', '10.0.0', '10.0.0.0.1', 'a.b.c.d', '1::2::3', '12345::', ':::', '', '10.0.0.1/8', '1:2:3:4:5:6:7:8:9'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it.each(['10.1.2.3', '::', 'fd00::1', '2001:db8::1:0:0:1', '1:2:3:4:5:6:7:8'])('formats %s back to itself', (text) => {
    expect(formatIp(parseIp(text) as NonNullable<ReturnType<typeof parseIp>>)).toBe(text);
  });
});

describe('parseCidr', () => {
  it('clears host bits like Go net.ParseCIDR and says so', () => {
    const cidr = parseCidr('192.168.242.213/24');
    expect(cidr?.text).toBe('192.168.242.0/24');
    expect(cidr?.canonical).toBe(false);
    expect(parseCidr('10.0.0.0/8')?.canonical).toBe(true);
  });

  it('covers the whole space with /0', () => {
    const v4 = parseCidr('0.0.0.0/0');
    expect(v4?.start).toBe(0n);
    expect(v4?.end).toBe(0xffffffffn);
    expect(parseCidr('::/0')?.end).toBe((1n << 128n) - 1n);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/-1', 'x/8', '10.0.0.0/08x'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('never matches across families', () => {
    const v4 = parseCidr('0.0.0.0/0') as NonNullable<ReturnType<typeof parseCidr>>;
    expect(rangeContains(v4, parseIp('::1') as NonNullable<ReturnType<typeof parseIp>>)).toBe(false);
    const v6 = parseCidr('::/0') as NonNullable<ReturnType<typeof parseCidr>>;
    expect(rangeContains(v6, parseIp('10.0.0.1') as NonNullable<ReturnType<typeof parseIp>>)).toBe(false);
  });
});

describe('cidrsOfRange', () => {
  it('gives the fewest blocks', () => {
    expect(cidrsOfRange({ family: 4, start: 0n, end: 0xffffffffn })).toEqual(['0.0.0.0/0']);
    // 0.0.0.0/0 minus 10.0.0.0/8, first part.
    expect(cidrsOfRange({ family: 4, start: 0n, end: 0x09ffffffn })).toEqual(['0.0.0.0/5', '8.0.0.0/7']);
    expect(cidrsOfRange({ family: 4, start: 5n, end: 9n })).toEqual(['0.0.0.5/32', '0.0.0.6/31', '0.0.0.8/31']);
  });

  it('formats a range as one block or as first-last', () => {
    expect(formatRange({ family: 4, start: 0x0a000000n, end: 0x0affffffn })).toBe('10.0.0.0/8');
    expect(formatRange({ family: 4, start: 5n, end: 9n })).toBe('0.0.0.5-0.0.0.9');
  });
});
