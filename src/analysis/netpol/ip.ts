/**
 * IPv4 and IPv6 addresses and CIDR blocks, as the NetworkPolicy `ipBlock` field uses them. Addresses
 * are held as bigints so that both families share one code path; families never cross-match (an IPv4
 * address is never inside an IPv6 block).
 */

export type IpFamily = 4 | 6;

/** One address. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
}

/** A parsed CIDR block. `canonical` is false when host bits were set (`192.168.242.213/24`). */
export interface Cidr extends IpRange {
  readonly prefix: number;
  readonly canonical: boolean;
  /** The block written canonically (`192.168.242.0/24`). */
  readonly text: string;
}

const BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

/** The last address of a family (all ones). */
export function maxAddress(family: IpFamily): bigint {
  return (1n << BigInt(BITS[family])) - 1n;
}

/** The whole address space of a family (`0.0.0.0/0`, `::/0`). */
export function fullRange(family: IpFamily): IpRange {
  return { family, start: 0n, end: maxAddress(family) };
}

/** Dotted quad, four decimal octets (a leading zero is read as decimal, as Go's parser did before 1.17). */
function parseIpv4(text: string): bigint | undefined {
  let value = 0;
  let octet = -1;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46;
    if (code === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      parts++;
      octet = -1;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      octet = (octet < 0 ? 0 : octet * 10) + (code - 48);
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? BigInt(value) : undefined;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0] as string);
  const right = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (left === undefined || right === undefined) return undefined;
  const count = left.length + right.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const groups = [...left, ...Array<string>(8 - count).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parse an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * Parse a CIDR block. Host bits are cleared, as Go's `net.ParseCIDR` (which both reference analyzers
 * use) does; the result says whether the text was canonical so callers can warn.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number.parseInt(prefixText, 10);
  const bits = BITS[address.family];
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const start = address.value & ~hostMask & maxAddress(address.family);
  const end = start | hostMask;
  return {
    family: address.family,
    start,
    end,
    prefix,
    canonical: start === address.value,
    text: `${formatIp({ family: address.family, value: start })}/${prefix}`,
  };
}

/** Format an address (`10.0.0.1`, `fd00::1`). IPv6 uses the shortest form (RFC 5952). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address.value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** True when the address lies in the range (same family, inside the bounds). */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  return range.family === address.family && address.value >= range.start && address.value <= range.end;
}

/** True when `inner` lies inside `outer`. */
export function rangeWithin(inner: IpRange, outer: IpRange): boolean {
  return inner.family === outer.family && inner.start >= outer.start && inner.end <= outer.end;
}

/** The fewest CIDR blocks that cover exactly the range, in address order. */
export function cidrsOfRange(range: IpRange): string[] {
  const out: string[] = [];
  const bits = BITS[range.family];
  let start = range.start;
  while (start <= range.end) {
    // The largest aligned block starting here that does not pass the end.
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((start & mask) !== 0n || start + mask > range.end) break;
      size = next;
    }
    out.push(`${formatIp({ family: range.family, value: start })}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

/** `10.0.0.0/8` when the range is one block, otherwise `10.0.0.5-10.0.0.9`. */
export function formatRange(range: IpRange): string {
  const cidrs = cidrsOfRange(range);
  if (cidrs.length === 1) return cidrs[0] as string;
  return `${formatIp({ family: range.family, value: range.start })}-${formatIp({ family: range.family, value: range.end })}`;
}

/** Compare ranges by family, then start. */
export function compareRanges(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}
