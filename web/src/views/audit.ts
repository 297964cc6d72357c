import type { AlertJson, AlertsPageJson, AuditEventJson } from '../../../src/server/api-types.js';
import { SEVERITY_COLORS, stackedBars } from '../../../src/report/svg-charts.js';
import { ApiError, get, query } from '../api.js';
import { announce, append, clear, field, formatTime, h, resourceText, select, severityBadge, svgBox } from '../dom.js';
import type { ViewContext } from '../main.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

function timelineChart(alerts: readonly AlertJson[]): string {
  const byDay = new Map<string, Record<string, number>>();
  for (const a of [...alerts].reverse()) {
    const day = a.time.slice(0, 10);
    const counts = byDay.get(day) ?? {};
    counts[a.severity] = (counts[a.severity] ?? 0) + 1;
    byDay.set(day, counts);
  }
  return stackedBars(
    [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, values]) => ({ label: day, values })),
    SEVERITIES.map((s) => ({ key: s, label: s, color: SEVERITY_COLORS[s] ?? '#555' })),
    { title: 'Alerts per day by severity', height: 160 },
  );
}

/** What each alert source means, for people. Unknown sources are shown by their name. */
const SOURCE_LABELS: Readonly<Record<string, string>> = {
  vigil: 'audit rules',
  falco: 'Falco (audit)',
  runtime: 'runtime',
  finding: 'findings',
};

/** The query of the address as it is now (both sections of the view keep their filters there). */
function currentParams(): URLSearchParams {
  return new URLSearchParams(location.hash.split('?')[1] ?? '');
}

function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

function alertItem(a: AlertJson): HTMLLIElement {
  return h(
    'li',
    {},
    h('time', { datetime: a.time }, formatTime(a.time)),
    ' ',
    severityBadge(a.severity),
    ' ',
    h('span', { class: 'badge source' }, sourceLabel(a.source)),
    ' ',
    h('strong', {}, a.title),
    h('div', { class: 'small' }, a.output),
    h(
      'div',
      { class: 'muted small' },
      [a.rule, a.user, a.resource === undefined ? undefined : resourceText(a.resource), a.mitre?.join(', ')]
        .filter((x) => x !== undefined && x !== '')
        .join(' · '),
    ),
  );
}

/** The alert timeline: every source (audit rules, Falco, runtime, findings), filtered by source and severity. */
async function alertsSection(context: ViewContext): Promise<HTMLElement> {
  const p = context.route.params;
  const first = await get<AlertsPageJson>('/api/alerts?limit=500');
  const source = select(
    'source',
    [{ value: '', label: 'All sources' }, ...first.sources.map((s) => ({ value: s, label: sourceLabel(s) }))],
    p.get('source') ?? '',
  );
  source.id = 'al-source';
  const severity = select(
    'severity',
    [{ value: '', label: 'Any severity' }, ...SEVERITIES.map((s) => ({ value: s, label: `${s} and above` }))],
    p.get('alertSeverity') ?? '',
  );
  severity.id = 'al-severity';
  const heading = h('h2', { id: 'alerts-h' }, 'Alerts');
  const body = h('div', { 'data-testid': 'alerts' });
  const show = (page: AlertsPageJson): void => {
    clear(body);
    heading.textContent = `Alerts (${page.total})`;
    if (page.alerts.length === 0) {
      body.append(h('p', { class: 'muted' }, first.total === 0 ? 'No alerts stored.' : 'No alert matches these filters.'));
      return;
    }
    append(body, [
      svgBox(timelineChart(page.alerts)),
      h('ol', { class: 'timeline' }, page.alerts.slice(0, 100).map(alertItem)),
      page.alerts.length > 100
        ? h('p', { class: 'muted small' }, `The newest 100 of ${page.total} are listed; the chart counts ${page.alerts.length}.`)
        : null,
    ]);
  };
  const refresh = async (): Promise<void> => {
    const params = currentParams();
    for (const [key, value] of [
      ['source', source.value],
      ['alertSeverity', severity.value],
    ] as const) {
      if (value === '') params.delete(key);
      else params.set(key, value);
    }
    context.replaceParams(params);
    const at = SEVERITIES.indexOf(severity.value as (typeof SEVERITIES)[number]);
    const page = await get<AlertsPageJson>(
      `/api/alerts${query({ limit: '500', source: source.value, severity: at < 0 ? undefined : SEVERITIES.slice(0, at + 1).join(',') })}`,
    );
    show(page);
    announce(`${page.total} alert${page.total === 1 ? '' : 's'}`);
  };
  source.addEventListener('change', () => void refresh());
  severity.addEventListener('change', () => void refresh());
  if (source.value === '' && severity.value === '') show(first);
  else await refresh();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'alerts-h' },
    heading,
    h('div', { class: 'filters' }, field('Source', source), field('Severity', severity)),
    body,
  );
}

export async function renderAudit(main: HTMLElement, context: ViewContext): Promise<void> {
  const alerts = await alertsSection(context);
  const p = context.route.params;
  const inputs = {
    user: h('input', { id: 'ev-user', type: 'text', value: p.get('user') ?? '', placeholder: 'name, * as wildcard' }),
    verb: h('input', { id: 'ev-verb', type: 'text', value: p.get('verb') ?? '', placeholder: 'get, create…' }),
    resource: h('input', { id: 'ev-resource', type: 'text', value: p.get('resource') ?? '', placeholder: 'secrets, pods/exec' }),
    namespace: h('input', { id: 'ev-namespace', type: 'text', value: p.get('namespace') ?? '' }),
    code: h('input', { id: 'ev-code', type: 'text', inputmode: 'numeric', value: p.get('code') ?? '', placeholder: '403', size: 5 }),
  };
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'audit-events' });
  const search = async (): Promise<void> => {
    const params = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
    const next = currentParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === '') next.delete(key);
      else next.set(key, value);
    }
    context.replaceParams(next);
    clear(results);
    try {
      const events = await get<AuditEventJson[]>(`/api/audit/events${query(params)}`);
      results.append(
        h(
          'p',
          { class: 'count-line' },
          `${events.length} event${events.length === 1 ? '' : 's'}${events.length === 200 ? ' (the newest 200)' : ''}`,
        ),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Time', 'User', 'Verb', 'Resource', 'Namespace', 'Name', 'Code', 'Source IP'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              events.map((e) =>
                h(
                  'tr',
                  {},
                  h('td', {}, formatTime(e.time)),
                  h('td', {}, e.user, e.impersonatedUser === undefined ? '' : ` as ${e.impersonatedUser}`),
                  h('td', {}, e.verb),
                  h(
                    'td',
                    {},
                    e.resource === '' ? h('code', {}, e.requestURI) : `${e.resource}${e.subresource === '' ? '' : `/${e.subresource}`}`,
                  ),
                  h('td', {}, e.namespace),
                  h('td', {}, e.name),
                  h('td', { class: `num ${e.code >= 400 ? 'bad' : ''}` }, e.code),
                  h('td', {}, e.sourceIP ?? ''),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err: unknown) {
      results.append(h('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? err.message : String(err)));
    }
  };
  main.append(
    h('h1', {}, 'Audit and alerts'),
    alerts,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'events-h' },
      h('h2', { id: 'events-h' }, 'Search audit events'),
      h(
        'form',
        {
          class: 'filters',
          role: 'search',
          onsubmit: (event: Event) => {
            event.preventDefault();
            void search();
          },
        },
        field('User', inputs.user),
        field('Verb', inputs.verb),
        field('Resource', inputs.resource),
        field('Namespace', inputs.namespace),
        field('Response code', inputs.code),
        h(
          'div',
          { class: 'field' },
          h('span', { 'aria-hidden': 'true' }, ' '),
          h('button', { type: 'submit', class: 'primary' }, 'Search'),
        ),
      ),
      results,
    ),
  );
  await search();
}
