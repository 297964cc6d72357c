import type { ScanReport } from '../checks/scan.js';
import { AREAS, type Area } from '../core/area.js';
import type { Finding } from '../core/finding.js';
import { formatFrameworkRefs } from '../core/frameworks.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { SEVERITIES, severityRank } from '../core/severity.js';
import { frameworkControls } from './framework-controls.js';
import { areaCounts, postureScore, riskiestNamespaces, riskiestObjects, severityCounts, type RiskEntry } from './posture-summary.js';
import { escapeXml as esc, horizontalBars, legend, scoreRing, SEVERITY_COLORS, stackedBars, type ChartSeries } from './svg-charts.js';

/*
 * `vigil scan --format html`: one self-contained page (styles inline, charts as inline SVG, no script,
 * no request to any host) with the dashboard's overview, findings and compliance sections, so it can be
 * mailed, attached to a CI run, or opened offline. Every text from the input is escaped.
 */

const SEVERITY_SERIES: readonly ChartSeries[] = SEVERITIES.map((s) => ({ key: s, label: s, color: SEVERITY_COLORS[s] ?? '#555f6d' }));

/** The page's styles: the dashboard's palette (WCAG AA contrast), readable at phone width, printable. */
const STYLES = `
:root{color-scheme:light;--fg:#1f2630;--muted:#4a5361;--line:#d0d5dc;--bg:#f6f7f9;--panel:#fff;--accent:#1f4f86}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#14243a;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#dce3ec}
nav{display:flex;gap:16px;flex-wrap:wrap;padding:8px 24px;background:#fff;border-bottom:1px solid var(--line)}nav a{color:var(--accent)}
a:focus-visible,summary:focus-visible{outline:3px solid #f5b400;outline-offset:2px}
main{max-width:1200px;margin:0 auto;padding:16px}section{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:16px 20px;margin:16px 0}
h2{margin-top:0;font-size:20px}h3{font-size:16px;margin:16px 0 8px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px;align-items:start}
.counts{display:flex;flex-wrap:wrap;gap:8px;padding:0;list-style:none}.counts li{padding:6px 10px;border-radius:4px;color:#fff;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:13px;font-weight:600}
${SEVERITIES.map((s) => `.sev-${s}{background:${SEVERITY_COLORS[s] ?? '#555f6d'}}`).join('')}
.legend{display:flex;gap:12px;flex-wrap:wrap;list-style:none;padding:0;margin:4px 0;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5}.table-wrap{overflow-x:auto}code{font-size:13px;word-break:break-all}
details{border-bottom:1px solid var(--line);padding:6px 0}summary{cursor:pointer}
.finding-body{padding:4px 0 8px 16px;color:var(--fg)}.muted{color:var(--muted)}
.status-pass{color:#1d6b35;font-weight:600}.status-fail{color:#b3261e;font-weight:600}.status-manual,.status-not-applicable{color:var(--muted)}
.suppressed{color:var(--muted)}
@media (max-width:600px){main{padding:8px}section{padding:12px}th,td{padding:4px}}
@media print{nav{display:none}section{break-inside:avoid-page}}
`;

export interface HtmlReportOptions {
  /** When the report was made (default: now). */
  readonly generatedAt?: Date;
  /** A heading for the page (default: "Vigil scan report"). */
  readonly title?: string;
}

function riskTable(entries: readonly RiskEntry[], what: string): string {
  if (entries.length === 0) return `<p class="muted">No ${what} with standing findings.</p>`;
  const rows = entries
    .map(
      (e) =>
        `<tr><td>${esc(e.name)}</td><td>${e.risk}</td><td>${SEVERITIES.filter((s) => e.bySeverity[s] > 0)
          .map((s) => `<span class="badge sev-${s}">${e.bySeverity[s]} ${s}</span>`)
          .join(' ')}</td></tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table><thead><tr><th scope="col">${esc(what)}</th><th scope="col">Risk</th><th scope="col">Findings</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function overview(report: ScanReport, standing: readonly Finding[]): string {
  const score = postureScore(standing, report.summary.objects);
  const bySeverity = severityCounts(standing);
  const byArea = areaCounts(standing);
  // Findings by area and severity, one bar per area: the "what kind of problem" picture.
  const areaPoints = (Object.keys(byArea) as Area[]).map((area) => {
    const inArea = standing.filter((f) => f.area === area);
    return { label: area, values: severityCounts(inArea) };
  });
  return `<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2>
<div class="grid">
<div>${scoreRing(score.value, 'Posture score')}<p>Posture score <strong>${score.value}</strong> of 100: ${score.affected} of ${score.objects} objects have a standing finding above info.</p></div>
<div><h3>Standing findings by severity</h3><ul class="counts">${SEVERITIES.map((s) => `<li class="sev-${s}">${bySeverity[s]} ${s}</li>`).join('')}</ul>
<p>${report.summary.findings} standing, ${report.summary.suppressed} suppressed; ${report.summary.checksRun} checks over ${report.summary.objects} objects in ${report.summary.files} file(s)${report.summary.inputErrors > 0 ? `; <strong>${report.summary.inputErrors} input error(s)</strong>` : ''}${report.summary.checkErrors > 0 ? `; <strong>${report.summary.checkErrors} check error(s)</strong>` : ''}.</p></div>
</div>
<h3>Findings by area and severity</h3>${legend(SEVERITY_SERIES)}${stackedBars(areaPoints, SEVERITY_SERIES, { title: 'Standing findings by area and severity' })}
<div class="grid"><div><h3>Riskiest namespaces</h3>${riskTable(riskiestNamespaces(standing), 'Namespace')}</div>
<div><h3>Riskiest workloads and objects</h3>${riskTable(riskiestObjects(standing), 'Object')}</div>
<div><h3>By area</h3>${horizontalBars(
    (Object.entries(byArea) as [Area, number][]).map(([area, value]) => ({ label: AREAS[area], value })),
    { title: 'Standing findings by area' },
  )}</div></div>
</section>`;
}

function findingDetails(f: Finding): string {
  const where =
    f.location.file === undefined ? '' : ` (${esc(f.location.file)}${f.location.line === undefined ? '' : `:${f.location.line}`})`;
  const frameworks = formatFrameworkRefs(f.frameworks);
  const suppressed =
    f.suppression === undefined
      ? ''
      : `<p class="suppressed">Suppressed by ${esc(f.suppression.source)}: ${esc(f.suppression.reason)}${f.suppression.expires === undefined ? '' : ` (until ${esc(f.suppression.expires)})`}</p>`;
  return `<details${f.suppression === undefined ? '' : ' class="suppressed"'}><summary><span class="badge sev-${f.severity}">${f.severity}</span> ${esc(f.title)} — ${esc(formatResourceRef(f.resource))}${f.suppression === undefined ? '' : ' <em>(suppressed)</em>'}</summary>
<div class="finding-body"><p>${esc(f.message)}</p><p><strong>Field:</strong> <code>${esc(f.location.path)}</code>${where}</p><p><strong>How to fix:</strong> ${esc(f.remediation)}</p>
<p class="muted">Check <code>${esc(f.checkId)}</code> · area ${esc(f.area)}${frameworks === '' ? '' : ` · ${esc(frameworks)}`} · fingerprint <code>${esc(f.fingerprint)}</code></p>${suppressed}</div></details>`;
}

function findings(report: ScanReport): string {
  const sorted = [...report.findings].sort(
    (a, b) =>
      Number(a.suppression !== undefined) - Number(b.suppression !== undefined) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.checkId.localeCompare(b.checkId) ||
      formatResourceRef(a.resource).localeCompare(formatResourceRef(b.resource)),
  );
  const body = sorted.length === 0 ? '<p>No findings.</p>' : sorted.map(findingDetails).join('\n');
  return `<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings (${report.findings.length})</h2>
<p class="muted">Most severe first; suppressed findings last. Open one for its explanation, the exact field and how to fix it.</p>${body}</section>`;
}

function compliance(report: ScanReport): string {
  const catalog = new Map(report.checks.map((c) => [c.check.id, c.check]));
  const views = frameworkControls({ catalog, ran: new Set(catalog.keys()), findings: report.findings });
  const parts = views.map((fw) => {
    const rows = fw.controls
      .map(
        (c) =>
          `<tr><td><code>${esc(c.id)}</code></td><td class="status-${c.status}">${c.status}</td><td>${c.findings}${c.suppressed > 0 ? ` <span class="muted">(+${c.suppressed} suppressed)</span>` : ''}</td><td>${c.checks.map((id) => `<code>${esc(id)}</code>`).join(', ')}</td></tr>`,
      )
      .join('');
    const s = fw.summary;
    return `<h3>${esc(fw.name)}</h3><p>${s.score === undefined ? 'No control decided' : `Score <strong>${s.score}%</strong>`}: ${s.pass} pass, ${s.fail} fail, ${s.manual} not covered by the checks that ran, of ${s.controls} controls.</p>${
      fw.controls.length === 0
        ? ''
        : `<div class="table-wrap"><table><thead><tr><th scope="col">Control</th><th scope="col">Status</th><th scope="col">Findings</th><th scope="col">Checks</th></tr></thead><tbody>${rows}</tbody></table></div>`
    }`;
  });
  return `<section id="compliance" aria-labelledby="compliance-h"><h2 id="compliance-h">Compliance</h2><p class="muted">Controls are those the checks reference; a control passes when none of its checks has a standing finding.</p>${parts.join('\n')}</section>`;
}

/** Format a scan report as one self-contained HTML page. */
export function formatHtml(report: ScanReport, options: HtmlReportOptions = {}): string {
  const standing = report.findings.filter((f) => f.suppression === undefined);
  const title = options.title ?? 'Vigil scan report';
  const at = (options.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${STYLES}</style></head>
<body><header><h1>${esc(title)}</h1><p>${esc(report.tool.name)} ${esc(report.tool.version)} · generated ${esc(at.replace('T', ' ').slice(0, 16))} UTC</p></header>
<nav aria-label="Sections"><a href="#overview">Overview</a><a href="#findings">Findings</a><a href="#compliance">Compliance</a></nav>
<main>${overview(report, standing)}
${findings(report)}
${compliance(report)}</main></body></html>
`;
}
