import { sendToAll } from '../audit/sinks/index.js';
import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { isAtLeast, type Severity } from '../core/severity.js';

/** An alert for a finding that opened or reopened. Its id is stable for that transition, so a retry never doubles it. */
export function alertOfFinding(finding: Finding, transition: 'opened' | 'reopened', at: string, cluster: string): Alert {
  return {
    id: `finding:${cluster}:${finding.fingerprint}:${at}`,
    rule: finding.checkId,
    source: 'finding',
    severity: finding.severity,
    title: `${transition === 'opened' ? 'New' : 'Reopened'}: ${finding.title} (${formatResourceRef(finding.resource)})`,
    output: finding.message,
    time: at,
    resource: finding.resource,
    cluster,
    fields: { transition, fingerprint: finding.fingerprint, area: finding.area, path: finding.location.path },
  };
}

/** The findings that deserve an alert: at or above the threshold and not suppressed. */
export function alertable(findings: readonly Finding[], minSeverity: Severity): Finding[] {
  return findings.filter((f) => f.suppression === undefined && isAtLeast(f.severity, minSeverity));
}

/**
 * Deliver alerts to every sink. One failing sink never stops the others; each failure is passed to
 * `onFailure` (metrics and the log), never swallowed.
 */
export async function deliver(
  sinks: readonly AlertSink[],
  alerts: readonly Alert[],
  onFailure: (sink: string, message: string) => void,
): Promise<void> {
  for (const failure of await sendToAll(sinks, alerts)) onFailure(failure.sink, describeError(failure.error));
}
