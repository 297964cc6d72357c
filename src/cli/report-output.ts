import { formatResourceRef } from '../core/resource-ref.js';
import { SEVERITIES } from '../core/severity.js';
import { createStyle } from '../report/colors.js';
import type {
  ClusterDetailJson,
  ClusterSummaryJson,
  ComparisonJson,
  FindingPlacement,
  FleetJson,
  SeverityName,
} from '../server/api-types.js';

/*
 * `vigil report` as text (a terminal, a CI log) and as markdown (a pull request, a wiki page). The
 * JSON form is the API's shape, printed as is. Every number here is also in the JSON.
 */

export type ReportTextFormat = 'text' | 'markdown';

const SHORT: Readonly<Record<SeverityName, string>> = { critical: 'crit', high: 'high', medium: 'med', low: 'low', info: 'info' };

/** `2026-11-26T09:40:12.345Z` → `2026-11-26 09:40Z`. */
function when(iso: string | undefined): string {
  return iso === undefined ? '—' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${num(n)} ${n === 1 ? word : many}`;
}

/** Left-align text columns and right-align number columns. */
function columns(rows: readonly (readonly string[])[], numeric: readonly boolean[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (i === row.length - 1 && numeric[i] !== true) return cell;
        return numeric[i] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string[] {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map((_h, i) => (numeric[i] === true ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ];
}

function lastRunText(s: ClusterSummaryJson): string {
  const run = s.lastRun;
  if (run === undefined) return 'never evaluated';
  return `${run.kind} ${run.status} ${when(run.finishedAt ?? run.startedAt)}`;
}

function windowText(since: string, generatedAt: string): string {
  const hours = (Date.parse(generatedAt) - Date.parse(since)) / 3_600_000;
  const span = hours % 24 === 0 && hours >= 24 ? `${hours / 24}d` : Number.isInteger(hours) ? `${hours}h` : `${Math.round(hours * 60)}m`;
  return `since ${when(since)} (${span})`;
}

const FLEET_HEADER = [
  'cluster',
  'last evaluation',
  'objects',
  'score',
  ...SEVERITIES.map((s) => SHORT[s]),
  'suppr',
  'opened',
  'resolved',
  'alerts',
];
const FLEET_NUMERIC = [false, false, ...FLEET_HEADER.slice(2).map(() => true)];

function fleetRow(s: ClusterSummaryJson): string[] {
  return [
    s.cluster,
    lastRunText(s),
    num(s.score.objects),
    s.score.objects === 0 ? '—' : s.score.value.toFixed(1),
    ...SEVERITIES.map((sev) => num(s.open.bySeverity[sev])),
    num(s.open.suppressed),
    num(s.changes.opened + s.changes.reopened),
    num(s.changes.resolved),
    num(s.alerts.total),
  ];
}

/** Every cluster in one table. */
export function formatFleet(fleet: FleetJson, format: ReportTextFormat, options: { color?: boolean } = {}): string {
  const out: string[] = [];
  const title = `Fleet: ${plural(fleet.clusters.length, 'cluster')}; findings open now, changes and alerts ${windowText(fleet.since, fleet.generatedAt)}`;
  if (fleet.clusters.length === 0) {
    const empty = 'The store holds no clusters yet: run `vigil monitor` (or `vigil audit work`) against it first.';
    return format === 'markdown' ? `# Vigil fleet report\n\n${empty}\n` : `${empty}\n`;
  }
  if (format === 'markdown') {
    out.push('# Vigil fleet report', '', title, '', ...markdownTable(FLEET_HEADER, fleet.clusters.map(fleetRow), FLEET_NUMERIC), '');
    out.push('## Top checks', '');
    for (const s of fleet.clusters) {
      const top = s.topChecks.map((c) => `${c.severity} \`${c.checkId}\` (${num(c.findings)})`).join(', ');
      out.push(`- **${s.cluster}**: ${top === '' ? 'no open findings' : top}`);
    }
  } else {
    const style = createStyle(options.color ?? false);
    out.push(style.bold(title), '');
    const lines = columns([FLEET_HEADER, ...fleet.clusters.map(fleetRow)], FLEET_NUMERIC);
    out.push(style.bold(lines[0] ?? ''), ...lines.slice(1), '');
    out.push(style.bold('Top checks'));
    for (const s of fleet.clusters) {
      const top = s.topChecks
        .map((c) => `${style.severity(c.severity, c.severity.toUpperCase())} ${c.checkId} (${num(c.findings)})`)
        .join(', ');
      out.push(`  ${s.cluster}: ${top === '' ? 'no open findings' : top}`);
    }
  }
  out.push('');
  if (fleet.alertsWithoutCluster > 0) {
    out.push(`${plural(fleet.alertsWithoutCluster, 'alert')} in the window name no cluster (recorded before clusters were named).`, '');
  }
  out.push(
    format === 'markdown'
      ? '_score: 100 means no object has a standing finding above info; opened counts reopened findings too._'
      : 'score: 100 = no object has a standing finding above info. `vigil report --cluster NAME` shows one cluster; `--compare` compares them.',
  );
  return `${out.join('\n')}\n`;
}

function summaryLines(s: ClusterSummaryJson, since: string, generatedAt: string): [string, string][] {
  const sev = SEVERITIES.map((x) => `${num(s.open.bySeverity[x])} ${x}`).join(', ');
  const run = s.lastRun;
  const alertSev = SEVERITIES.filter((x) => s.alerts.bySeverity[x] > 0)
    .map((x) => `${num(s.alerts.bySeverity[x])} ${x}`)
    .join(', ');
  return [
    [
      'last evaluation',
      run === undefined
        ? 'never evaluated'
        : `${run.kind} ${run.status}, ${when(run.finishedAt ?? run.startedAt)}, ${plural(run.objects, 'object')}, ${plural(run.findings, 'finding')}${run.error === undefined ? '' : ` (${run.error})`}`,
    ],
    [
      'posture score',
      s.score.objects === 0
        ? '— (no finished evaluation)'
        : `${s.score.value.toFixed(1)} (${num(s.score.affected)} of ${plural(s.score.objects, 'object')} affected)`,
    ],
    ['open findings', `${num(s.open.total)}: ${sev}${s.open.suppressed > 0 ? `; ${num(s.open.suppressed)} suppressed` : ''}`],
    [
      windowText(since, generatedAt),
      `${num(s.changes.opened)} opened, ${num(s.changes.reopened)} reopened, ${num(s.changes.resolved)} resolved; ${plural(s.alerts.total, 'alert')}${alertSev === '' ? '' : ` (${alertSev})`}`,
    ],
  ];
}

/** One cluster: summary, top checks, open findings and alerts. */
export function formatClusterDetail(detail: ClusterDetailJson, format: ReportTextFormat, options: { color?: boolean } = {}): string {
  const s = detail.summary;
  const out: string[] = [];
  const findingsTitle = `Open findings: ${num(detail.findings.total)}, most severe first${detail.findings.shown.length < detail.findings.total ? ` (first ${num(detail.findings.shown.length)}; --limit for more)` : ''}`;
  const alertsTitle = `Alerts ${windowText(detail.since, detail.generatedAt)}: ${num(detail.alerts.total)}, newest first${detail.alerts.shown.length < detail.alerts.total ? ` (first ${num(detail.alerts.shown.length)})` : ''}`;
  if (format === 'markdown') {
    out.push(`# Cluster ${s.cluster}`, '');
    for (const [k, v] of summaryLines(s, detail.since, detail.generatedAt)) out.push(`- **${k}**: ${v}`);
    out.push('', '## Top checks', '');
    if (s.topChecks.length === 0) out.push('No open findings.');
    else
      out.push(
        ...markdownTable(
          ['severity', 'check', 'findings', 'title'],
          s.topChecks.map((c) => [c.severity, `\`${c.checkId}\``, num(c.findings), c.title]),
          [false, false, true, false],
        ),
      );
    out.push('', `## ${findingsTitle}`, '');
    if (detail.findings.shown.length > 0) {
      out.push(
        ...markdownTable(
          ['severity', 'check', 'object', 'field', 'message'],
          detail.findings.shown.map((f) => [
            f.severity,
            `\`${f.checkId}\``,
            formatResourceRef(f.resource),
            `\`${f.location.path || '(object)'}\``,
            f.message,
          ]),
          [],
        ),
      );
    }
    out.push('', `## ${alertsTitle}`, '');
    if (detail.alerts.shown.length > 0) {
      out.push(
        ...markdownTable(
          ['time', 'severity', 'rule', 'source', 'output'],
          detail.alerts.shown.map((a) => [when(a.time), a.severity, `\`${a.rule}\``, a.source, a.output]),
          [],
        ),
      );
    }
    return `${out.join('\n')}\n`;
  }
  const style = createStyle(options.color ?? false);
  out.push(style.bold(`Cluster ${s.cluster}`));
  const lines = summaryLines(s, detail.since, detail.generatedAt);
  const width = Math.max(...lines.map(([k]) => k.length));
  for (const [k, v] of lines) out.push(`  ${k.padEnd(width)}  ${v}`);
  out.push('', style.bold('Top checks'));
  if (s.topChecks.length === 0) out.push('  no open findings');
  const idWidth = Math.max(0, ...s.topChecks.map((c) => c.checkId.length));
  for (const c of s.topChecks) {
    out.push(
      `  ${style.severity(c.severity, c.severity.toUpperCase().padEnd(8))} ${c.checkId.padEnd(idWidth)}  ${num(c.findings).padStart(5)}  ${c.title}`,
    );
  }
  out.push('', style.bold(findingsTitle));
  for (const f of detail.findings.shown) {
    out.push(
      `  ${style.severity(f.severity, f.severity.toUpperCase().padEnd(8))} ${f.checkId}  ${formatResourceRef(f.resource)}  ${style.dim(f.location.path || '(object)')}`,
      `           ${f.message}`,
    );
  }
  out.push('', style.bold(alertsTitle));
  for (const a of detail.alerts.shown) {
    out.push(
      `  ${when(a.time)}  ${style.severity(a.severity, a.severity.toUpperCase().padEnd(8))} ${a.rule} (${a.source})`,
      `           ${a.output}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** `open: a, b · resolved: c` */
function placementText(placement: Readonly<Record<string, FindingPlacement>>): string {
  const groups = new Map<FindingPlacement, string[]>();
  for (const [cluster, where] of Object.entries(placement)) {
    const list = groups.get(where) ?? [];
    list.push(cluster);
    groups.set(where, list);
  }
  const order: FindingPlacement[] = ['open', 'suppressed', 'resolved', 'passing', 'unknown'];
  return order
    .filter((p) => groups.has(p))
    .map((p) => `${p}: ${(groups.get(p) ?? []).join(', ')}`)
    .join(' · ');
}

/** Clusters side by side: summary numbers, checks, then the findings that differ. */
export function formatComparison(cmp: ComparisonJson, format: ReportTextFormat, options: { color?: boolean } = {}): string {
  const clusters = cmp.clusters;
  const byCluster = new Map(cmp.summaries.map((s) => [s.cluster, s]));
  const pick = (f: (s: ClusterSummaryJson) => string): string[] =>
    clusters.map((c) => {
      const s = byCluster.get(c);
      return s === undefined ? '—' : f(s);
    });
  const summaryRows: string[][] = [
    ['last evaluation', ...pick(lastRunText)],
    ['objects', ...pick((s) => num(s.score.objects))],
    ['score', ...pick((s) => (s.score.objects === 0 ? '—' : s.score.value.toFixed(1)))],
    ...SEVERITIES.map((sev) => [sev, ...pick((s) => num(s.open.bySeverity[sev]))]),
    ['suppressed', ...pick((s) => num(s.open.suppressed))],
    [`alerts ${windowText(cmp.since, cmp.generatedAt)}`, ...pick((s) => num(s.alerts.total))],
  ];
  const numeric = [false, ...clusters.map(() => true)];
  const checkRows = cmp.checks.map((c) => [c.severity, c.checkId, ...clusters.map((n) => num(c.open[n] ?? 0))]);
  const driftTitle = `Drift: ${plural(cmp.drift.total, 'finding')} open in some clusters and not in others${cmp.drift.findings.length < cmp.drift.total ? ` (first ${num(cmp.drift.findings.length)}; --limit for more)` : ''}`;
  const commonLine = `${plural(cmp.common, 'finding')} open in every compared cluster.`;
  const out: string[] = [];
  if (format === 'markdown') {
    out.push(`# Comparing ${clusters.join(', ')}`, '');
    out.push(...markdownTable(['', ...clusters], summaryRows, numeric), '');
    out.push('## Open findings by check', '');
    if (checkRows.length === 0) out.push('No open findings in any compared cluster.');
    else
      out.push(
        ...markdownTable(
          ['severity', 'check', ...clusters],
          cmp.checks.map((c, i) => {
            const row = checkRows[i] ?? [];
            return c.differs
              ? row.map((cell, j) => (j === 1 ? `**\`${cell}\`**` : cell))
              : row.map((cell, j) => (j === 1 ? `\`${cell}\`` : cell));
          }),
          [false, false, ...clusters.map(() => true)],
        ),
      );
    out.push('', `## ${driftTitle}`, '', commonLine, '');
    for (const d of cmp.drift.findings) {
      out.push(
        `- **${d.severity}** \`${d.checkId}\` ${formatResourceRef(d.resource)} \`${d.path || '(object)'}\` — ${placementText(d.placement)}`,
      );
    }
    out.push(
      '',
      '_Checks in bold differ between clusters. resolved: it was open there and is not any more (fixed, or the object was removed); passing: the object is known there without this finding; unknown: nothing is known of the object there._',
    );
    return `${out.join('\n')}\n`;
  }
  const style = createStyle(options.color ?? false);
  out.push(style.bold(`Comparing ${clusters.join(', ')}`), '');
  const head = columns([['', ...clusters], ...summaryRows], numeric);
  out.push(style.bold(head[0] ?? ''), ...head.slice(1), '');
  out.push(style.bold('Open findings by check (* = the counts differ)'));
  if (checkRows.length === 0) out.push('  no open findings in any compared cluster');
  else {
    const lines = columns(
      [['', 'severity', 'check', ...clusters], ...cmp.checks.map((c, i) => [c.differs ? '*' : '', ...(checkRows[i] ?? [])])],
      [false, false, false, ...clusters.map(() => true)],
    );
    out.push(style.bold(lines[0] ?? ''), ...lines.slice(1));
  }
  out.push('', style.bold(driftTitle), commonLine);
  for (const d of cmp.drift.findings) {
    out.push(
      `  ${style.severity(d.severity, d.severity.toUpperCase().padEnd(8))} ${d.checkId}  ${formatResourceRef(d.resource)}  ${style.dim(d.path || '(object)')}`,
      `           ${placementText(d.placement)}`,
    );
  }
  out.push(
    '',
    style.dim(
      'resolved: it was open there and is not any more (fixed, or the object was removed); passing: the object is known there without this finding; unknown: nothing is known of the object there.',
    ),
  );
  return `${out.join('\n')}\n`;
}
