import type { AlertsPageJson, FindingRowJson, OverviewJson, RiskEntryJson } from '../../../src/server/api-types.js';
import { legend, scoreRing, SEVERITY_COLORS, stackedBars, type ChartSeries } from '../../../src/report/svg-charts.js';
import { get, query } from '../api.js';
import { formatTime, h, resourceText, severityBadge, svgBox } from '../dom.js';
import type { ViewContext } from '../main.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const AREA_PALETTE = [
  '#1b4f72',
  '#7d3c98',
  '#117a65',
  '#9a4d00',
  '#a93226',
  '#2e4053',
  '#6c3483',
  '#196f3d',
  '#7b241c',
  '#4a235a',
  '#0e6251',
];

/** The newest alerts of every source (audit rules, Falco, runtime, findings), linking to the timeline. */
function recentAlerts(page: AlertsPageJson): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'alerts-recent-h', 'data-testid': 'recent-alerts' },
    h('h2', { id: 'alerts-recent-h' }, `Recent alerts (${page.total})`),
    page.alerts.length === 0
      ? h('p', { class: 'muted' }, 'No alerts stored.')
      : h(
          'ul',
          { class: 'plain' },
          page.alerts.map((a) =>
            h(
              'li',
              {},
              severityBadge(a.severity),
              ' ',
              h('span', { class: 'badge source' }, a.source),
              ' ',
              a.title,
              h('span', { class: 'muted' }, ` · ${formatTime(a.time)}${a.user === undefined ? '' : ` · ${a.user}`}`),
            ),
          ),
        ),
    h('p', {}, h('a', { href: '#/audit' }, 'All alerts and audit events →')),
  );
}

function changeList(title: string, rows: readonly FindingRowJson[], id: string): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': id },
    h('h3', { id }, `${title} (${rows.length})`),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : h(
          'ul',
          { class: 'plain' },
          rows
            .slice(0, 10)
            .map((f) =>
              h(
                'li',
                {},
                severityBadge(f.severity),
                ' ',
                h('a', { href: `#/findings/${encodeURIComponent(f.fingerprint)}?status=all` }, f.title),
                h('span', { class: 'muted' }, ` · ${resourceText(f.resource)}`),
              ),
            ),
          rows.length > 10 ? h('li', { class: 'muted' }, `… and ${rows.length - 10} more`) : null,
        ),
  );
}

function riskTable(caption: string, rows: readonly RiskEntryJson[], link: (row: RiskEntryJson) => string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col', class: 'num' }, 'Risk'),
          h('th', { scope: 'col' }, 'Findings'),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length === 0
          ? h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'Nothing at risk.'))
          : rows.map((r) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('a', { href: link(r) }, r.name)),
                h('td', { class: 'num' }, r.risk),
                h(
                  'td',
                  {},
                  SEVERITIES.filter((s) => r.bySeverity[s] > 0).map((s) =>
                    h('span', { class: 'count' }, severityBadge(s), ` ${r.bySeverity[s]} `),
                  ),
                ),
              ),
            ),
      ),
    ),
  );
}

function valuesOf(counts: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  return counts;
}

export async function renderOverview(main: HTMLElement, context: ViewContext): Promise<void> {
  const [overview, alerts] = await Promise.all([
    get<OverviewJson>(`/api/overview${query({ days: context.route.params.get('days') ?? undefined })}`),
    get<AlertsPageJson>('/api/alerts?limit=5'),
  ]);
  const by = context.route.params.get('by') === 'area' ? 'area' : 'severity';
  const areas = Object.keys(context.meta.areas);
  const series: ChartSeries[] =
    by === 'severity'
      ? SEVERITIES.map((s) => ({ key: s, label: s, color: SEVERITY_COLORS[s] ?? '#555' }))
      : areas.map((a, i) => ({ key: a, label: context.meta.areas[a] ?? a, color: AREA_PALETTE[i % AREA_PALETTE.length] ?? '#555' }));
  const points = overview.trend.map((p) => ({
    label: p.date.slice(5),
    values: valuesOf(by === 'severity' ? p.bySeverity : p.byArea),
  }));
  const chart = stackedBars(points, series, { title: `Open findings by ${by}, last ${overview.trend.length} days` });
  const toggle = (value: 'severity' | 'area', label: string): HTMLElement =>
    h(
      'button',
      {
        type: 'button',
        class: 'toggle',
        'aria-pressed': String(by === value),
        onclick: () => {
          const params = new URLSearchParams(context.route.params);
          params.set('by', value);
          location.hash = `#/overview?${params.toString()}`;
        },
      },
      label,
    );
  const open = overview.open;
  main.append(
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'cards' },
      h(
        'section',
        { class: 'panel score', 'aria-labelledby': 'score-h' },
        h('h2', { id: 'score-h' }, 'Posture score'),
        svgBox(scoreRing(overview.score.value, 'Posture score'), 'ring'),
        h('p', { 'data-testid': 'score' }, `${overview.score.value} / 100`),
        h('p', { class: 'muted' }, `${overview.score.affected} of ${overview.score.objects} objects have an open finding above info.`),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'open-h' },
        h('h2', { id: 'open-h' }, 'Open findings'),
        h('p', { class: 'big', 'data-testid': 'open-total' }, String(open.total)),
        h(
          'ul',
          { class: 'severity-counts' },
          SEVERITIES.map((s) => h('li', {}, h('a', { href: `#/findings?severity=${s}` }, severityBadge(s), ` ${open.bySeverity[s]}`))),
        ),
        h('p', { class: 'muted' }, `${open.suppressed} suppressed by exceptions.`),
        overview.lastRun === undefined
          ? null
          : h(
              'p',
              { class: 'muted' },
              `Last full evaluation: ${formatTime(overview.lastRun.finishedAt ?? overview.lastRun.startedAt)} (${overview.lastRun.objects} objects).`,
            ),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'trend-h' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'trend-h' }, 'Over time'),
        h(
          'div',
          { class: 'toggles', role: 'group', 'aria-label': 'Group by' },
          toggle('severity', 'By severity'),
          toggle('area', 'By area'),
        ),
      ),
      svgBox(chart),
      svgBox(legend(series.filter((s) => points.some((p) => (p.values[s.key] ?? 0) > 0))), 'legend-box'),
    ),
    recentAlerts(alerts),
    h('h2', {}, 'What changed in the last 24 hours'),
    h(
      'div',
      { class: 'cards three' },
      changeList('New', overview.changes.opened, 'new-h'),
      changeList('Reopened', overview.changes.reopened, 'reopened-h'),
      changeList('Resolved', overview.changes.resolved, 'resolved-h'),
    ),
    h(
      'div',
      { class: 'cards' },
      riskTable('Riskiest namespaces', overview.topNamespaces, (r) => `#/findings?namespace=${encodeURIComponent(r.name)}`),
      riskTable(
        'Riskiest objects',
        overview.topObjects,
        (r) =>
          `#/findings?namespace=${encodeURIComponent(r.resource?.namespace ?? '')}&q=${encodeURIComponent(r.resource?.name ?? r.name)}`,
      ),
    ),
  );
}
