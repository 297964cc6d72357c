import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { emptyFalcoCounts, readFalcoFiles, type FalcoReadItem } from './read-alerts.js';

const line = (rule: string): string => `${JSON.stringify({ rule, priority: 'Warning', time: '2026-11-26T06:41:12.103882091Z' })}\n`;

async function collect(items: AsyncIterable<FalcoReadItem>): Promise<FalcoReadItem[]> {
  const out: FalcoReadItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readFalcoFiles', () => {
  it('reads plain and gzip files of a folder in rotation order, and reports a missing path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-falco-read-'));
    writeFileSync(join(dir, 'events.json.1.gz'), gzipSync(line('older')));
    writeFileSync(join(dir, 'events.json'), `${line('newer')}{"rule":\n`);
    const counts = emptyFalcoCounts();
    const items = await collect(readFalcoFiles([dir, join(dir, 'missing.json')], counts));
    expect(items.flatMap((i) => (i.kind === 'alert' ? [i.alert.rule] : []))).toEqual(['older', 'newer']);
    expect(items.flatMap((i) => (i.kind === 'problem' ? [i.problem.code] : []))).toEqual(['not-found', 'json-syntax']);
    expect(counts).toEqual({ files: 2, lines: 3, alerts: 2, malformed: 2 });
  });

  it('follows a file as Falco appends to it, until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-falco-follow-'));
    const path = join(dir, 'events.json');
    writeFileSync(path, line('before'));
    const controller = new AbortController();
    const counts = emptyFalcoCounts();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const item of readFalcoFiles([path], counts, { follow: { signal: controller.signal, fromStart: true, pollMs: 10 } }))
        if (item.kind === 'alert') seen.push(item.alert.rule);
    })();
    for (let i = 0; i < 200 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    appendFileSync(path, line('after'));
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await reading;
    expect(seen).toEqual(['before', 'after']);
    expect(counts.alerts).toBe(2);
  });
});
