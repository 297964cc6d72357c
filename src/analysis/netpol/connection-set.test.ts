import { describe, expect, it } from 'vitest';

import { ConnectionSet } from './connection-set.js';
import { ConnectionSetTable } from './connection-set-table.js';

const tcp = (lo: number, hi = lo): ConnectionSet => ConnectionSet.ports('TCP', lo, hi);

describe('ConnectionSet', () => {
  it('unions, merging adjacent and overlapping ranges', () => {
    const set = tcp(80).union(tcp(81, 90)).union(tcp(100, 200)).union(tcp(150, 300));
    expect(set.toJSON()).toEqual({
      TCP: [
        [80, 90],
        [100, 300],
      ],
    });
    expect(set.has('TCP', 90)).toBe(true);
    expect(set.has('TCP', 91)).toBe(false);
    expect(set.has('UDP', 80)).toBe(false);
  });

  it('intersects and subtracts per protocol', () => {
    const a = tcp(1, 1000).union(ConnectionSet.ports('UDP', 53, 53));
    const b = tcp(500, 2000).union(ConnectionSet.ports('SCTP'));
    expect(a.intersect(b).toJSON()).toEqual({ TCP: [[500, 1000]] });
    expect(a.subtract(tcp(10, 20)).toJSON()).toEqual({
      TCP: [
        [1, 9],
        [21, 1000],
      ],
      UDP: [53],
    });
    expect(ConnectionSet.ALL.subtract(ConnectionSet.ports('UDP', 53, 53)).toString()).toBe('TCP all; UDP 1-52,54-65535; SCTP all');
  });

  it('recognises everything and nothing, whatever way they are built', () => {
    const all = ConnectionSet.ports('TCP')
      .union(ConnectionSet.ports('UDP'))
      .union(ConnectionSet.ports('SCTP', 1, 65535));
    expect(all.isAll).toBe(true);
    expect(all.toJSON()).toBe('all');
    expect(tcp(5).intersect(tcp(6)).isEmpty).toBe(true);
    expect(ConnectionSet.fromJson({ TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] })).toBe(ConnectionSet.ALL);
  });

  it('round-trips its JSON form', () => {
    const set = ConnectionSet.fromJson({ TCP: [80, [8000, 8010]], UDP: [53] });
    expect(set.toJSON()).toEqual({ TCP: [80, [8000, 8010]], UDP: [53] });
    expect(set.toString()).toBe('TCP 80,8000-8010; UDP 53');
  });
});

describe('ConnectionSetTable', () => {
  it('interns equal sets to one id and memoises operations', () => {
    const table = new ConnectionSetTable();
    const a = table.id(tcp(80));
    expect(table.id(tcp(80))).toBe(a);
    const b = table.id(tcp(443));
    const u = table.union(a, b);
    expect(table.get(u).toJSON()).toEqual({ TCP: [80, 443] });
    expect(table.union(b, a)).toBe(u);
    expect(table.intersect(u, a)).toBe(a);
    expect(table.intersect(a, b)).toBe(ConnectionSetTable.NONE);
    expect(table.union(a, ConnectionSetTable.ALL)).toBe(ConnectionSetTable.ALL);
  });
});
