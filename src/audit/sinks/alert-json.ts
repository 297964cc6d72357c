import type { Alert } from '../../core/alert.js';
import { formatResourceRef } from '../../core/resource-ref.js';

/**
 * The JSON form of an alert that every machine sink writes (one per line in files and on stdout):
 * Alert's fields plus `auditID`, the event that raised it (window and sequence alerts list all
 * their events in `auditIDs`).
 */
export function alertJson(alert: Alert): Record<string, unknown> {
  const auditID = typeof alert.fields?.auditID === 'string' ? alert.fields.auditID : alert.auditIDs?.at(-1);
  return {
    id: alert.id,
    time: alert.time,
    rule: alert.rule,
    source: alert.source,
    severity: alert.severity,
    title: alert.title,
    mitre: alert.mitre ?? [],
    output: alert.output,
    user: alert.user ?? null,
    auditID: auditID ?? null,
    auditIDs: alert.auditIDs ?? [],
    ...(alert.sourceIPs === undefined ? {} : { sourceIPs: alert.sourceIPs }),
    ...(alert.resource === undefined ? {} : { resource: alert.resource }),
    ...(alert.cluster === undefined ? {} : { cluster: alert.cluster }),
    ...(alert.fields === undefined ? {} : { fields: alert.fields }),
  };
}

/** One JSON line. */
export function alertLine(alert: Alert): string {
  return `${JSON.stringify(alertJson(alert))}\n`;
}

/** `2024-05-01T10:00:00Z high   pod-exec  alice ran "sh" in …` for people. */
export function alertText(alert: Alert, decorate: (alert: Alert, text: string) => string = (_a, t) => t): string {
  const severity = decorate(alert, alert.severity.padEnd(8));
  const mitre = alert.mitre === undefined || alert.mitre.length === 0 ? '' : ` [${alert.mitre.join(',')}]`;
  // Finding alerts name their object only in the title; the output is the check's message.
  const on = alert.source === 'finding' && alert.resource !== undefined ? ` ${formatResourceRef(alert.resource)}` : '';
  return `${alert.time.replace(/\.\d+Z$/, 'Z')} ${severity} ${alert.rule}${on}: ${alert.output}${mitre}\n`;
}
