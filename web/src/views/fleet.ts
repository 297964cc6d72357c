import type { ClusterSummaryJson, ComparisonJson, FindingPlacement, FleetJson } from '../../../src/server/api-types.js';
import { chooseCluster, get, query } from '../api.js';
import { formatTime, h, resourceText, severityBadge } from '../dom.js';
import type { ViewContext } from '../main.js';

/*
 * Every cluster of the store side by side (`/api/fleet`), and a finding-by-finding comparison of the
 * ones ticked (`/api/fleet/compare`) — the same numbers `vigil report` prints.
 */

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const PLACEMENT_TEXT: Readonly<Record<FindingPlacement, string>> = {
  open: 'open',
  suppressed: 'suppressed',
  resolved: 'resolved',
  passing: 'passing',
  unknown: 'unknown',
};

function clusterRow(s: ClusterSummaryJson): HTMLTableRowElement {
  const run = s.lastRun;
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row' },
      h(
        'a',
        {
          href: '#/overview',
          onclick: () => {
            chooseCluster(s.cluster);
          },
        },
        s.cluster,
      ),
    ),
    h('td', {}, run === undefined ? 'never' : `${run.kind} ${run.status} · ${formatTime(run.finishedAt ?? run.startedAt)}`),
    h('td', { class: 'num' }, s.score.objects === 0 ? '–' : s.score.value.toFixed(1)),
    SEVERITIES.map((sev) => h('td', { class: 'num' }, s.open.bySeverity[sev])),
    h('td', { class: 'num' }, s.open.suppressed),
    h('td', { class: 'num' }, s.changes.opened + s.changes.reopened),
    h('td', { class: 'num' }, s.changes.resolved),
    h('td', { class: 'num' }, s.alerts.total),
  );
}

function table(caption: string, header: readonly string[], numeric: readonly boolean[], rows: HTMLTableRowElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          header.map((c, i) => h('th', { scope: 'col', class: numeric[i] === true ? 'num' : undefined }, c)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

function comparison(cmp: ComparisonJson): HTMLElement {
  const clusters = cmp.clusters;
  const numeric = (n: number): boolean[] => [false, false, ...Array.from({ length: n }, () => true)];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'cmp-h' },
    h('h2', { id: 'cmp-h' }, `Comparing ${clusters.join(', ')}`),
    h(
      'p',
      { 'data-testid': 'compare-summary' },
      `${cmp.common} findings open in every compared cluster · ${cmp.drift.total} open in some and not in others`,
    ),
    h('h3', {}, 'Open findings by check'),
    table(
      'Open findings per check and cluster',
      ['Severity', 'Check', ...clusters],
      numeric(clusters.length),
      cmp.checks.map((c) =>
        h(
          'tr',
          { class: c.differs ? 'differs' : undefined },
          h('td', {}, severityBadge(c.severity)),
          h('th', { scope: 'row' }, h('code', {}, c.checkId), c.differs ? h('span', { class: 'muted small' }, ' differs') : null),
          clusters.map((n) => h('td', { class: 'num' }, c.open[n] ?? 0)),
        ),
      ),
    ),
    h('h3', {}, `Findings that differ (${cmp.drift.total})`),
    h(
      'p',
      { class: 'muted small' },
      'resolved: it was open there and is not any more (fixed, or the object was removed) · passing: the object is known there without this finding · unknown: nothing is known of the object there.',
    ),
    table(
      'Findings open in some clusters and not in others',
      ['Severity', 'Finding', ...clusters],
      [],
      cmp.drift.findings.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, severityBadge(d.severity)),
          h(
            'th',
            { scope: 'row' },
            h('code', {}, d.checkId),
            h('div', { class: 'small' }, resourceText(d.resource)),
            h('div', { class: 'muted small' }, d.path === '' ? '(object)' : d.path),
          ),
          clusters.map((n) => {
            const where = d.placement[n] ?? 'unknown';
            return h('td', { class: `placement placement-${where}` }, PLACEMENT_TEXT[where]);
          }),
        ),
      ),
    ),
  );
}

export async function renderFleet(main: HTMLElement, context: ViewContext): Promise<void> {
  const since = context.route.params.get('since') ?? '24h';
  const fleet = await get<FleetJson>(`/api/fleet${query({ since })}`);
  const names = fleet.clusters.map((c) => c.cluster);
  const asked = (context.route.params.get('compare') ?? '').split(',').filter((c) => names.includes(c));
  const ticked = new Set(asked.length > 0 ? asked : names.slice(0, 4));
  main.append(
    h('h1', {}, 'Fleet'),
    h(
      'p',
      { class: 'muted' },
      `Every cluster this store holds: findings open now; changes and alerts since ${formatTime(fleet.since)}. Choose a cluster to open its views.`,
    ),
    table(
      'Clusters',
      ['Cluster', 'Last evaluation', 'Score', ...SEVERITIES, 'Suppressed', 'Opened', 'Resolved', 'Alerts'],
      [false, false, true, ...SEVERITIES.map(() => true), true, true, true, true],
      fleet.clusters.map(clusterRow),
    ),
  );
  if (names.length < 2) {
    main.append(
      h(
        'p',
        { class: 'muted' },
        'A comparison needs two or more clusters in the store (one `vigil monitor` per cluster, one shared store).',
      ),
    );
    return;
  }
  const boxes = names.map((n) => {
    const box = h('input', { type: 'checkbox', name: 'cluster', value: n, checked: ticked.has(n) });
    return h('label', { class: 'check' }, box, ` ${n}`);
  });
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const chosen = [...form.querySelectorAll<HTMLInputElement>('input[name=cluster]:checked')].map((i) => i.value);
        location.hash = `#/fleet${query({ since: since === '24h' ? undefined : since, compare: chosen.join(',') })}`;
      },
    },
    h('fieldset', {}, h('legend', {}, 'Compare clusters'), boxes),
    h('button', { type: 'submit', class: 'primary' }, 'Compare'),
  );
  main.append(form);
  if (ticked.size < 2) {
    main.append(h('p', { role: 'status' }, 'Tick two or more clusters to compare them.'));
    return;
  }
  const cmp = await get<ComparisonJson>(`/api/fleet/compare${query({ since, clusters: [...ticked].join(',') })}`);
  main.append(comparison(cmp));
}
