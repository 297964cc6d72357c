// The shared audit samples read through the readers: every line is an event or a counted problem.
import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { readAuditFiles } from '../../src/audit/readers/files.js';
import { emptyCounts, type AuditReadItem } from '../../src/audit/readers/parse-lines.js';
import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';

async function read(paths: string[]): Promise<{ items: AuditReadItem[]; counts: ReturnType<typeof emptyCounts> }> {
  const counts = emptyCounts();
  const items: AuditReadItem[] = [];
  for await (const item of readAuditFiles(paths, counts)) items.push(item);
  return { items, counts };
}

describe.skipIf(!SHARED_AVAILABLE)('shared audit samples', () => {
  it('reads the audit2rbac demo log (legacy timestamps, impersonation)', async () => {
    const { items, counts } = await read([sharedPath('conformance', 'audit-logs', 'audit2rbac-demo.log')]);
    expect(counts).toMatchObject({ files: 1, lines: 37, events: 37, malformed: 0 });
    const events = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    expect(events.every((e) => !Number.isNaN(e.time))).toBe(true);
    expect(events.filter((e) => e.actor.username === 'bob')).toHaveLength(29);
    expect(events.every((e) => e.user.username === 'system:admin')).toBe(true);
    expect(events.filter((e) => e.code === 403)).toHaveLength(11);
  });

  it('reads the Falco k8saudit sample events: every line an event but the one invalid input', async () => {
    const dir = sharedPath('conformance', 'falco-k8saudit', 'events');
    const files = readdirSync(dir).map((f) => `${dir}/${f}`);
    const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.trim() !== '').length;
    const { items, counts } = await read(files);
    expect(counts.events).toBe(lines - 1);
    expect(counts.malformed).toBe(1);
    const problem = items.find((i) => i.kind === 'problem');
    expect(problem?.kind === 'problem' && problem.problem.location.file).toMatch(/fal_01_003\.json$/);
  });
});
