import type { AlertJson, AuditEventJson } from '../../../src/server/api-types.js';
import { SEVERITY_COLORS, stackedBars } from '../../../src/report/svg-charts.js';
import { ApiError, get, query } from '../api.js';
import { clear, field, formatTime, h, resourceText, severityBadge, svgBox } from '../dom.js';
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

export async function renderAudit(main: HTMLElement, context: ViewContext): Promise<void> {
  const alerts = await get<AlertJson[]>('/api/audit/alerts?limit=500');
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
    context.replaceParams(new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')));
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
    h('h1', {}, 'Audit'),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'alerts-h' },
      h('h2', { id: 'alerts-h' }, `Alerts (${alerts.length})`),
      alerts.length === 0 ? h('p', { class: 'muted' }, 'No alerts stored.') : svgBox(timelineChart(alerts)),
      h(
        'ol',
        { class: 'timeline' },
        alerts
          .slice(0, 100)
          .map((a) =>
            h(
              'li',
              {},
              h('time', { datetime: a.time }, formatTime(a.time)),
              ' ',
              severityBadge(a.severity),
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
            ),
          ),
      ),
    ),
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
