import { formatResourceRef } from '../core/resource-ref.js';
import { SEVERITIES } from '../core/severity.js';
import type { ScanReport } from '../checks/scan.js';
import { formatSummaryLine } from './format-summary.js';

/** GitHub rejects comments over 65,536 characters; stay well inside it. */
const MAX_CHARS = 60_000;

function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/**
 * Markdown for pull-request comments: a headline, counts by severity, and a table of findings that is
 * cut (and says so) before it would exceed what a comment can hold.
 */
export function formatMarkdown(report: ScanReport): string {
  const s = report.summary;
  const lines: string[] = [];
  const worst = SEVERITIES.find((sev) => s.bySeverity[sev] > 0);
  lines.push(
    `### Vigil: ${s.findings === 0 ? 'no findings' : `${s.findings} finding${s.findings === 1 ? '' : 's'}${worst === undefined ? '' : `, worst ${worst}`}`}`,
  );
  lines.push('');
  lines.push(formatSummaryLine(s));
  lines.push('');
  lines.push('| Severity | Count |', '| --- | ---: |');
  for (const sev of SEVERITIES) lines.push(`| ${sev} | ${s.bySeverity[sev]} |`);
  lines.push('');
  const standing = report.findings.filter((f) => f.suppression === undefined);
  if (standing.length > 0) {
    lines.push('| Severity | Check | Resource | Location | Message |', '| --- | --- | --- | --- | --- |');
    let used = lines.join('\n').length;
    let shown = 0;
    for (const f of standing) {
      const where = `${f.location.file ?? ''}${f.location.line === undefined ? '' : `:${f.location.line}`}`;
      const row = `| ${f.severity} | \`${f.checkId}\` | ${cell(formatResourceRef(f.resource))} | ${cell(where)} \`${cell(f.location.path)}\` | ${cell(f.message)} |`;
      if (used + row.length + 200 > MAX_CHARS) break;
      lines.push(row);
      used += row.length + 1;
      shown++;
    }
    if (shown < standing.length) {
      lines.push(
        '',
        `_${standing.length - shown} more findings not shown; see the full report (\`vigil scan --format sarif\` or \`--format json\`)._`,
      );
    }
    lines.push('');
  }
  if (report.problems.length > 0) {
    lines.push(`<details><summary>${report.problems.length} input problem${report.problems.length === 1 ? '' : 's'}</summary>`, '');
    for (const p of report.problems.slice(0, 50)) {
      lines.push(
        `- \`${cell(p.location.file)}${p.location.line === undefined ? '' : `:${p.location.line}`}\` ${p.level}: ${cell(p.message)}`,
      );
    }
    if (report.problems.length > 50) lines.push(`- … and ${report.problems.length - 50} more`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}
