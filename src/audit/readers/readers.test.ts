import { appendFileSync, mkdirSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { REDACTED } from '../redact.js';
import { readAuditFiles } from './files.js';
import { followLines } from './follow.js';
import { emptyCounts, parseAuditLine, type AuditReadItem } from './parse-lines.js';

const event = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: id,
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/default/pods',
  verb: 'list',
  user: { username: 'alice', groups: ['system:authenticated'] },
  sourceIPs: ['10.0.0.1'],
  objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 200 },
  requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
  stageTimestamp: '2024-05-01T10:00:00.100000Z',
  ...extra,
});
const line = (e: unknown): string => `${JSON.stringify(e)}\n`;

async function collect(paths: string[], stdin?: string): Promise<{ items: AuditReadItem[]; counts: ReturnType<typeof emptyCounts> }> {
  const counts = emptyCounts();
  const items: AuditReadItem[] = [];
  for await (const item of readAuditFiles(paths, counts, stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }))
    items.push(item);
  return { items, counts };
}
const ids = (items: AuditReadItem[]): string[] => items.flatMap((i) => (i.kind === 'event' ? [i.event.auditID] : []));

describe('parseAuditLine', () => {
  it('reads an Event, an EventList and reports bad lines with file and line', () => {
    const out: AuditReadItem[] = [];
    parseAuditLine(JSON.stringify(event('a')), 'f', 1, out);
    parseAuditLine(
      JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event('b'), { kind: 'Pod' }, event('c')] }),
      'f',
      2,
      out,
    );
    parseAuditLine('{"kind":"Event","verb":', 'f', 3, out);
    parseAuditLine('AUDIT: id="x" ip="1.2.3.4"', 'f', 4, out);
    parseAuditLine('   ', 'f', 5, out);
    expect(ids(out)).toEqual(['a', 'b', 'c']);
    const problems = out.flatMap((i) => (i.kind === 'problem' ? [i.problem] : []));
    expect(problems.map((p) => [p.location.line, p.code])).toEqual([
      [2, 'not-kubernetes'],
      [3, 'json-syntax'],
      [4, 'json-syntax'],
    ]);
    expect(problems[2]?.hint).toContain('legacy');
  });

  it('redacts Secret data, last-applied copies, and tokens before anything sees them', () => {
    const out: AuditReadItem[] = [];
    const secret = {
      kind: 'Secret',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } },
      data: { password: 'aHVudGVyMg==' },
      stringData: { token: 'hunter2' },
    };
    parseAuditLine(
      JSON.stringify(
        event('s', { verb: 'create', objectRef: { resource: 'secrets', namespace: 'd' }, requestObject: secret, responseObject: secret }),
      ),
      'f',
      1,
      out,
    );
    parseAuditLine(
      JSON.stringify(
        event('l', { objectRef: { resource: 'secrets', namespace: 'd' }, responseObject: { kind: 'SecretList', items: [secret] } }),
      ),
      'f',
      2,
      out,
    );
    parseAuditLine(
      JSON.stringify(
        event('t', {
          verb: 'create',
          objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'd', name: 'sa' },
          responseObject: { status: { token: 'eyJhbGciOi' } },
        }),
      ),
      'f',
      3,
      out,
    );
    parseAuditLine(
      JSON.stringify(
        event('r', {
          verb: 'create',
          objectRef: { resource: 'tokenreviews', apiGroup: 'authentication.k8s.io' },
          requestObject: { spec: { token: 'eyJhbGciOi' } },
        }),
      ),
      'f',
      4,
      out,
    );
    parseAuditLine(
      JSON.stringify(
        event('p', {
          verb: 'patch',
          objectRef: { resource: 'secrets', namespace: 'd', name: 's' },
          requestObject: [{ op: 'replace', path: '/data/password', value: 'eA==' }],
        }),
      ),
      'f',
      5,
      out,
    );
    const text = JSON.stringify(out.map((i) => (i.kind === 'event' ? i.event.raw : null)));
    for (const secretValue of ['aHVudGVyMg==', 'hunter2', 'eyJhbGciOi', 'eA==']) expect(text).not.toContain(secretValue);
    expect(text).toContain(REDACTED);
    expect(text).toContain('"password"');
    expect(out.map((i) => (i.kind === 'event' ? i.event.redactions : -1))).toEqual([6, 3, 1, 1, 1]);
  });
});

describe('readAuditFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-read-'));

  it('reads plain, gzip (by content), CRLF and pretty-printed EventList files, and stdin', async () => {
    const plain = join(dir, 'plain.log');
    writeFileSync(plain, line(event('p1')) + line(event('p2')).replace('\n', '\r\n') + 'not json\n' + line(event('p3')));
    const gz = join(dir, 'compressed.data');
    writeFileSync(gz, gzipSync(line(event('g1')) + line(event('g2'))));
    const pretty = join(dir, 'batch.json');
    writeFileSync(pretty, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event('e1'), event('e2')] }, null, 2));
    const { items, counts } = await collect([plain, gz, pretty, '-'], line(event('s1')));
    expect(ids(items)).toEqual(['p1', 'p2', 'p3', 'g1', 'g2', 'e1', 'e2', 's1']);
    expect(counts).toMatchObject({ files: 4, events: 8, malformed: 1 });
    const bad = items.find((i) => i.kind === 'problem');
    expect(bad?.kind === 'problem' && bad.problem.location).toEqual({ file: plain, line: 3 });
  });

  it('reads a folder of rotated logs oldest first', async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'audit.log'), line(event('live')));
    writeFileSync(join(logs, 'audit.log.1'), line(event('one')));
    writeFileSync(join(logs, 'audit.log.2.gz'), gzipSync(line(event('two'))));
    writeFileSync(join(logs, 'notes.txt'), 'ignored');
    const lumber = join(dir, 'lumber');
    mkdirSync(lumber);
    writeFileSync(join(lumber, 'audit.log'), line(event('now')));
    writeFileSync(join(lumber, 'audit-2024-05-02T10-00-00.000.log'), line(event('may2')));
    writeFileSync(join(lumber, 'audit-2024-05-01T10-00-00.000.log.gz'), gzipSync(line(event('may1'))));
    const { items } = await collect([logs, lumber]);
    expect(ids(items)).toEqual(['two', 'one', 'live', 'may1', 'may2', 'now']);
  });

  it('reports a missing path and keeps reading the others', async () => {
    const ok = join(dir, 'ok.log');
    writeFileSync(ok, line(event('ok')));
    const { items } = await collect([join(dir, 'missing.log'), ok]);
    expect(items[0]?.kind === 'problem' && items[0].problem.code).toBe('not-found');
    expect(ids(items)).toEqual(['ok']);
  });
});

describe('followLines', () => {
  it('follows appends, rotation by rename and truncation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-follow-'));
    const file = join(dir, 'audit.log');
    writeFileSync(file, 'old\n');
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const l of followLines(file, { signal: controller.signal, pollMs: 10 })) seen.push(l);
    })();
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; i < 500 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(file, 'a\nb');
    appendFileSync(file, '\n');
    await waitFor(2);
    appendFileSync(file, 'c\n');
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'd\n'); // written to the old file after the rename, before the writer reopened
    await new Promise((r) => setTimeout(r, 5));
    writeFileSync(file, 'e\n');
    await waitFor(5);
    truncateSync(file, 0);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(file, 'f\n');
    await waitFor(6);
    controller.abort();
    await done;
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
