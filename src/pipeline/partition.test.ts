import { describe, expect, it } from 'vitest';

import { fnv1a, ownerOf, parsePartitions, partitionOf, subjectOf, subjectToken } from './partition.js';

describe('partitions of the audit stream', () => {
  it('hashes with FNV-1a 32 (the published test vectors), so every process agrees', () => {
    // Reference values from the FNV specification (draft-eastlake-fnv): "" and "a" and "foobar".
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('puts one identity always in one partition, and spreads many over all of them', () => {
    expect(partitionOf('alice@example.com', 16)).toBe(partitionOf('alice@example.com', 16));
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(partitionOf(`user-${i}`, 16));
    expect(seen.size).toBe(16);
  });

  it('makes any cluster name one subject token without collisions', () => {
    expect(subjectToken('prod-eu_1')).toBe('prod-eu_1');
    expect(subjectToken('arn:aws:eks:eu-west-1:1:cluster/a.b')).toBe('arn=3aaws=3aeks=3aeu-west-1=3a1=3acluster=2fa=2eb');
    expect(subjectToken('a.b')).not.toBe(subjectToken('a_b'));
    expect(subjectToken('a b>*')).toMatch(/^[A-Za-z0-9_=-]+$/);
    expect(subjectToken('')).toBe('=');
    expect(subjectOf('kind-dev', 3)).toBe('vigil.audit.kind-dev.3');
  });

  it('checks partition counts', () => {
    expect(parsePartitions('16')).toBe(16);
    expect(parsePartitions('0')).toBeUndefined();
    expect(parsePartitions('2.5')).toBeUndefined();
    expect(parsePartitions('5000')).toBeUndefined();
  });

  it('moves only the partitions a joining worker wins, and only those of a leaving one', () => {
    const before = ['w1', 'w2', 'w3'];
    const after = [...before, 'w4'];
    let moved = 0;
    for (let p = 0; p < 64; p++) {
      const a = ownerOf(p, before);
      const b = ownerOf(p, after);
      if (a !== b) {
        moved++;
        expect(b).toBe('w4');
      }
      // Order of the member list does not matter.
      expect(ownerOf(p, [...after].reverse())).toBe(b);
    }
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(64);
    for (let p = 0; p < 64; p++) {
      const owner = ownerOf(p, after) as string;
      const without = after.filter((w) => w !== 'w2');
      if (owner !== 'w2') expect(ownerOf(p, without)).toBe(owner);
    }
    expect(ownerOf(0, [])).toBeUndefined();
  });
});
