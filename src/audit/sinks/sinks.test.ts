import { describe, expect, it } from 'vitest';

import type { Alert } from '../../core/alert.js';
import { DeliveryError, PrometheusSink, slackPayload, StreamSink, WebhookSink, sendToAll } from './index.js';

const alert = (rule: string, severity: Alert['severity'] = 'high'): Alert => ({
  id: `id-${rule}`,
  rule,
  source: 'vigil',
  severity,
  title: 'Exec into a pod',
  output: 'alice ran "sh" in <pod> shop/web-0 & more',
  time: '2024-05-01T10:00:00.000Z',
  mitre: ['T1609'],
  user: 'alice',
  auditIDs: ['a1'],
  fields: { auditID: 'a1' },
});

function fakeFetch(statuses: number[], calls: unknown[]): typeof fetch {
  return ((_url: string, init: { body: string }) => {
    calls.push(JSON.parse(init.body));
    const status = statuses.shift() ?? 200;
    return Promise.resolve(new Response('x', { status, headers: status === 429 ? { 'retry-after': '0' } : {} }));
  }) as unknown as typeof fetch;
}

describe('sinks', () => {
  it('webhook retries 5xx and 429, then delivers', async () => {
    const calls: unknown[] = [];
    const sink = new WebhookSink('https://hooks.example/x?token=abc', undefined, {
      fetch: fakeFetch([503, 429, 200], calls),
      backoffMs: 1,
    });
    await sink.send([alert('pod-exec')]);
    expect(calls).toHaveLength(3);
    expect(sink.delivered).toBe(1);
    expect(sink.name).toBe('webhook https://hooks.example/…');
  });

  it('webhook gives up on a 4xx at once and reports how many alerts were not delivered', async () => {
    const calls: unknown[] = [];
    const sink = new WebhookSink('https://hooks.example/x', undefined, { fetch: fakeFetch([400], calls), backoffMs: 1 });
    await expect(sink.send([alert('a'), alert('b')])).rejects.toBeInstanceOf(DeliveryError);
    expect(calls).toHaveLength(1);
    expect(sink.failed).toBe(2);
  });

  it('one failing sink does not stop the others', async () => {
    let text = '';
    const failing = new WebhookSink('https://hooks.example/x', undefined, { fetch: fakeFetch([500, 500], []), attempts: 2, backoffMs: 1 });
    const failures = await sendToAll([failing, new StreamSink({ write: (t: string) => (text += t) }, 'json')], [alert('pod-exec')]);
    expect(failures.map((f) => f.sink)).toEqual(['webhook https://hooks.example/…']);
    expect(JSON.parse(text)).toMatchObject({ rule: 'pod-exec', auditID: 'a1', mitre: ['T1609'] });
  });

  it('Slack payload escapes mrkdwn and batches', () => {
    const payload = slackPayload([alert('pod-exec')]) as { text: string; blocks: { text: { text: string } }[] };
    expect(payload.text).toContain('*Exec into a pod* (high, `pod-exec`)');
    expect(payload.text).toContain('&lt;pod&gt; shop/web-0 &amp; more');
    expect((slackPayload([alert('a'), alert('b')]) as { text: string; blocks: unknown[] }).blocks).toHaveLength(2);
  });

  it('Prometheus counts alerts by rule and severity', async () => {
    const sink = new PrometheusSink();
    await sink.send([alert('pod-exec'), alert('pod-exec'), alert('x', 'low')]);
    const text = await sink.metrics();
    expect(text).toContain('vigil_alerts_total{rule="pod-exec",severity="high",source="vigil"} 2');
    expect(text).toContain('vigil_alerts_total{rule="x",severity="low",source="vigil"} 1');
  });
});
