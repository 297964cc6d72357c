import type { ScanReport } from '../checks/scan.js';
import type { ComplianceReport, ControlResult, ControlStatus } from '../compliance/evaluate.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { createStyle, type Style } from './colors.js';

export const COMPLIANCE_FORMATS = ['table', 'json', 'markdown'] as const;
export type ComplianceFormat = (typeof COMPLIANCE_FORMATS)[number];

const LABEL: Readonly<Record<ControlStatus, string>> = { pass: 'PASS', fail: 'FAIL', 'not-applicable': 'N/A', manual: 'MANUAL' };

function statusLabel(status: ControlStatus, style: Style): string {
  const text = LABEL[status].padEnd(6);
  switch (status) {
    case 'pass':
      return style.green(text);
    case 'fail':
      return style.red(text);
    case 'manual':
      return style.yellow(text);
    case 'not-applicable':
      return style.dim(text);
  }
}

function scoreText(report: ComplianceReport): string {
  const { summary } = report;
  const score = summary.score === undefined ? 'no automated control applied' : `${summary.score}%`;
  return `score ${score} — ${summary.pass} pass, ${summary.fail} fail, ${summary.notApplicable} not applicable, ${summary.manual} manual (${summary.controls} controls)`;
}

/** Where a failing finding is: `Deployment shop/web (k8s/web.yaml:12)`. */
function findingPlace(control: ControlResult, index: number): string {
  const f = control.findings[index];
  if (f === undefined) return '';
  const file = f.location.file === undefined ? '' : ` (${f.location.file}${f.location.line === undefined ? '' : `:${f.location.line}`})`;
  return `${formatResourceRef(f.resource)}${file}: ${f.message}`;
}

/** Controls grouped by section, each with its status; failing controls list what fails them. */
function formatTable(report: ComplianceReport, scan: ScanReport, color: boolean, maxPerControl: number): string {
  const style = createStyle(color);
  const out: string[] = [style.bold(`${report.framework.name} ${report.framework.version}`), ''];
  let section: string | undefined;
  for (const control of report.controls) {
    if (control.section !== section) {
      if (section !== undefined) out.push('');
      section = control.section;
      out.push(style.bold(section));
    }
    const suppressed = control.suppressed > 0 ? style.dim(` (${control.suppressed} suppressed)`) : '';
    // NSA controls are section titles: the id is the title.
    const name = control.title === control.id ? control.id : `${control.id.padEnd(10)} ${control.title}`;
    out.push(`  ${statusLabel(control.status, style)} ${name}${suppressed}`);
    if (control.status === 'fail') {
      for (let i = 0; i < Math.min(control.findings.length, maxPerControl); i++)
        out.push(style.dim(`           - ${findingPlace(control, i)}`));
      if (control.findings.length > maxPerControl) out.push(style.dim(`           … and ${control.findings.length - maxPerControl} more`));
    } else if (control.reason !== undefined && control.status === 'manual') {
      out.push(style.dim(`           ${control.reason}`));
    }
  }
  out.push('', `${report.framework.id.toUpperCase()}: ${scoreText(report)}`);
  if (scan.summary.checkErrors > 0)
    out.push(style.yellow(`${scan.summary.checkErrors} check error(s): run with --format json to see them.`));
  return `${out.join('\n')}\n`;
}

function formatMarkdown(report: ComplianceReport, maxPerControl: number): string {
  const escape = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const out: string[] = [
    `# ${report.framework.name} ${report.framework.version}`,
    '',
    `**${scoreText(report)}**`,
    '',
    '| Status | Control | Title | Details |',
    '| --- | --- | --- | --- |',
  ];
  for (const c of report.controls) {
    const details =
      c.status === 'fail'
        ? c.findings
            .slice(0, maxPerControl)
            .map((_, i) => escape(findingPlace(c, i)))
            .join('<br>') + (c.findings.length > maxPerControl ? `<br>… and ${c.findings.length - maxPerControl} more` : '')
        : escape(c.reason ?? (c.checks.length > 0 ? c.checks.join(', ') : ''));
    out.push(`| ${LABEL[c.status]} | ${escape(c.id)} | ${escape(c.title)} | ${details} |`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON document: `{ tool, framework, summary, controls }`, each failing control with its findings' fingerprints and places. */
function formatJson(report: ComplianceReport, scan: ScanReport): string {
  const document = {
    tool: { name: scan.tool.name, version: scan.tool.version },
    framework: report.framework,
    summary: report.summary,
    controls: report.controls.map((c) => ({
      id: c.id,
      title: c.title,
      section: c.section,
      status: c.status,
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      checks: c.checks,
      findings: c.findings.map((f) => ({
        checkId: f.checkId,
        severity: f.severity,
        resource: f.resource,
        location: f.location,
        message: f.message,
        fingerprint: f.fingerprint,
      })),
      suppressed: c.suppressed,
    })),
    scan: scan.summary,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface ComplianceFormatOptions {
  readonly color?: boolean;
  /** Findings listed under each failing control in text formats (all are in JSON). */
  readonly maxPerControl?: number;
}

/** Format a compliance report. */
export function formatCompliance(
  report: ComplianceReport,
  scan: ScanReport,
  format: ComplianceFormat,
  options: ComplianceFormatOptions = {},
): string {
  const max = options.maxPerControl ?? 5;
  switch (format) {
    case 'table':
      return formatTable(report, scan, options.color ?? false, max);
    case 'json':
      return formatJson(report, scan);
    case 'markdown':
      return formatMarkdown(report, max);
  }
}

/** One line for stderr and CI logs. */
export function complianceSummaryLine(report: ComplianceReport): string {
  return `${report.framework.id.toUpperCase()} ${scoreText(report)}`;
}
