import type { Alert, AlertSink } from '../../core/alert.js';

export { alertJson, alertLine, alertText } from './alert-json.js';
export { JsonLinesFileSink } from './jsonl-file.js';
export { PrometheusSink, scrapedCounter } from './prometheus.js';
export { slackPayload, slackSink } from './slack.js';
export { StreamSink } from './stdout.js';
export { DeliveryError, WebhookSink, redactUrl, type WebhookOptions } from './webhook.js';

/**
 * Send alerts to every sink; one failing sink does not stop the others. Returns the failures (the
 * caller reports them: an alert that could not be delivered is never dropped silently).
 */
export async function sendToAll(sinks: readonly AlertSink[], alerts: readonly Alert[]): Promise<{ sink: string; error: unknown }[]> {
  if (alerts.length === 0) return [];
  const results = await Promise.allSettled(sinks.map((s) => s.send(alerts)));
  const failures: { sink: string; error: unknown }[] = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.push({ sink: (sinks[i] as AlertSink).name, error: r.reason });
  });
  return failures;
}

/** Close every sink that can be closed, collecting failures. */
export async function closeAll(sinks: readonly AlertSink[]): Promise<{ sink: string; error: unknown }[]> {
  const results = await Promise.allSettled(sinks.map((s) => (s.close === undefined ? Promise.resolve() : s.close())));
  const failures: { sink: string; error: unknown }[] = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.push({ sink: (sinks[i] as AlertSink).name, error: r.reason });
  });
  return failures;
}
