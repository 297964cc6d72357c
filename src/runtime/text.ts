import type { Alert, AlertContextValue } from '../core/alert.js';
import { formatResourceRef } from '../core/resource-ref.js';

function list(value: AlertContextValue | undefined): string[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];
}

function str(value: AlertContextValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

function record(value: AlertContextValue | undefined): Readonly<Record<string, AlertContextValue>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Readonly<Record<string, AlertContextValue>>)
    : undefined;
}

/**
 * A runtime alert for people, several lines: the severity move, where it happened, each reason,
 * and the workload's posture in one line each.
 *
 * ```
 * 2026-11-26T06:41:12Z critical  Terminal shell in container (Falco Notice: low → critical)
 *   where:    Deployment shop/web · pod web-7d9c5b6f4-x2kqz · container web · node worker-1
 *   raised:   privileged pod (container web)
 *   posture:  Pod Security privileged (fails baseline: hostPathVolumes, privileged) · ingress open to 0.0.0.0/0 · …
 *   output:   …
 * ```
 */
export function runtimeAlertText(alert: Alert, decorate: (alert: Alert, text: string) => string = (_a, t) => t): string {
  const lines: string[] = [];
  const context = alert.context ?? {};
  const falco = record(context.falco);
  const target = record(context.target);
  const workload = record(context.workload);
  const priority = typeof falco?.priority === 'string' ? falco.priority : '?';
  const move = alert.originalSeverity === undefined ? '' : ` (Falco ${priority}: ${alert.originalSeverity} → ${alert.severity})`;
  lines.push(`${alert.time.replace(/\.\d+Z$/, 'Z')} ${decorate(alert, alert.severity.padEnd(8))} ${alert.rule}${move}`);
  const where: string[] = [];
  if (alert.resource !== undefined) where.push(formatResourceRef(alert.resource));
  if (typeof target?.pod === 'string' && alert.resource?.kind !== 'Pod') where.push(`pod ${target.pod}`);
  if (typeof target?.containerName === 'string') where.push(`container ${target.containerName}`);
  if (typeof target?.image === 'string') where.push(`image ${target.image}`);
  if (typeof falco?.hostname === 'string') where.push(`node ${falco.hostname}`);
  if (where.length > 0) lines.push(`  where:    ${where.join(' · ')}`);
  for (const reason of alert.reasons ?? []) {
    const label = reason.effect === 'raise' ? 'raised:' : reason.effect === 'lower' ? 'lowered:' : 'kept:';
    lines.push(`  ${label.padEnd(9)} ${reason.reason}`);
  }
  if (workload !== undefined) {
    const pss = record(workload.pss);
    const level = typeof pss?.level === 'string' ? pss.level : '?';
    const violations = list(pss?.violations);
    const next = level === 'privileged' ? 'baseline' : 'restricted';
    const exposure = record(workload.exposure);
    const sa = record(workload.serviceAccount);
    const posture: string[] = [
      `Pod Security ${level}${violations.length > 0 ? ` (fails ${next}: ${violations.join(', ')})` : ''}`,
      exposure?.isolated === true ? 'isolated for ingress' : 'not isolated for ingress',
    ];
    if (sa !== undefined)
      posture.push(`service account ${str(sa.namespace)}/${str(sa.name)}${sa.tokenMounted === true ? '' : ' (no token mounted)'}`);
    lines.push(`  posture:  ${posture.join(' · ')}`);
    const execBy = list(workload.execBy);
    lines.push(
      `  exec by:  ${execBy.length === 0 ? 'nobody but cluster admins' : execBy.slice(0, 8).join(', ')}${execBy.length > 8 ? ` and ${execBy.length - 8} more` : ''}`,
    );
    const secrets = list(workload.secrets);
    if (secrets.length > 0) lines.push(`  secrets:  ${secrets.join(', ')}`);
    const findings = Array.isArray(workload.findings) ? workload.findings.map(record) : [];
    if (findings.length > 0)
      lines.push(
        `  findings: ${findings.length} open (${findings
          .slice(0, 5)
          .map((f) => `${str(f?.checkId)} ${str(f?.severity)}`)
          .join(', ')}${findings.length > 5 ? ', …' : ''})`,
      );
  }
  if (alert.output !== '') lines.push(`  output:   ${alert.output}`);
  return `${lines.join('\n')}\n`;
}
