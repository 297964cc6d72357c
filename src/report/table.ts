import type { Finding } from '../core/finding.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { formatSourceLocation } from '../core/source-location.js';
import { severityRank } from '../core/severity.js';
import type { ScanReport } from '../checks/scan.js';
import { createStyle } from './colors.js';
import { formatSummaryLine } from './format-summary.js';

export interface TableOptions {
  readonly color?: boolean;
  readonly showSuppressed?: boolean;
  readonly showStaleExceptions?: boolean;
}

interface Group {
  readonly title: string;
  readonly where: string;
  readonly sortKey: string;
  readonly findings: Finding[];
}

/**
 * The human report: findings grouped by object in file order, each with severity, check id, line and
 * field, then input problems with their hints, then one summary line.
 */
export function formatTable(report: ScanReport, options: TableOptions = {}): string {
  const style = createStyle(options.color ?? false);
  const out: string[] = [];
  const groups = new Map<string, Group>();
  for (const finding of report.findings) {
    if (finding.suppression !== undefined && options.showSuppressed !== true) continue;
    const key = `${finding.location.file ?? ''}\u0000${finding.resource.kind}\u0000${finding.resource.namespace ?? ''}\u0000${finding.resource.name}`;
    let group = groups.get(key);
    if (group === undefined) {
      const file = finding.location.file;
      group = {
        title: formatResourceRef(finding.resource),
        where: file === undefined ? '' : file === '-' ? 'stdin' : file,
        sortKey: `${file ?? '\uffff'}\u0000${String(finding.location.documentIndex ?? 0).padStart(8, '0')}\u0000${key}`,
        findings: [],
      };
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  const ordered = [...groups.values()].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const idWidth = Math.max(0, ...report.findings.map((f) => f.checkId.length));
  for (const group of ordered) {
    out.push(`${style.bold(group.title)}${group.where === '' ? '' : style.dim(`  ${group.where}`)}`);
    group.findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.location.line ?? 0) - (b.location.line ?? 0));
    for (const f of group.findings) {
      const label = style.severity(f.severity, f.severity.toUpperCase().padEnd(8));
      const line = f.location.line === undefined ? '' : `:${f.location.line}`;
      const suppressed = f.suppression === undefined ? '' : style.dim(` [suppressed: ${f.suppression.reason}]`);
      out.push(`  ${label} ${f.checkId.padEnd(idWidth)}  ${style.dim(`${f.location.path || '(object)'}${line}`)}${suppressed}`);
      out.push(`           ${f.message}`);
    }
    out.push('');
  }
  const shown = report.problems.filter((p) => p.level !== 'info');
  const notes = report.problems.length - shown.length;
  if (shown.length > 0) {
    out.push(style.bold('Input problems'));
    for (const p of shown) {
      const level = p.level === 'error' ? style.red('error') : style.yellow('warning');
      out.push(`  ${formatSourceLocation(p.location)}: ${level}: ${p.message}`);
      if (p.hint !== undefined) out.push(style.dim(`    hint: ${p.hint}`));
    }
    out.push('');
  }
  if (notes > 0) {
    out.push(
      style.dim(
        `${notes} note${notes === 1 ? '' : 's'} on the input (objects defined in more than one file; all copies are checked): see --format json.`,
      ),
      '',
    );
  }
  if (report.checkErrors.length > 0) {
    out.push(style.bold('Check errors (a bug in Vigil: please report it)'));
    for (const e of report.checkErrors) {
      out.push(`  ${e.checkId}${e.resource === undefined ? '' : ` on ${formatResourceRef(e.resource)}`}: ${e.message}`);
    }
    out.push('');
  }
  if (options.showStaleExceptions === true) {
    out.push(style.bold(`Stale exceptions (${report.staleExceptions.length})`));
    for (const s of report.staleExceptions) {
      const on = s.resource === undefined ? '' : ` on ${formatResourceRef(s.resource)}`;
      const until = s.expires === undefined ? '' : ` (expires ${s.expires})`;
      out.push(
        `  ${s.status === 'expired' ? style.yellow('expired') : style.dim('unused ')} ${s.source}${on}: ${s.checks.join(', ')}${until} — ${s.reason}`,
      );
    }
    if (report.staleExceptions.length === 0) out.push('  none: every exception is current and in use');
    out.push('');
  }
  if (report.summary.objects === 0) {
    out.push(style.red('No Kubernetes objects were found in the input, so nothing was checked.'));
  }
  out.push(formatSummaryLine(report.summary));
  return `${out.join('\n')}\n`;
}
