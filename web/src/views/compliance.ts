import type { FrameworkJson } from '../../../src/server/api-types.js';
import { horizontalBars } from '../../../src/report/svg-charts.js';
import { get } from '../api.js';
import { h, svgBox } from '../dom.js';
import type { ViewContext } from '../main.js';

const STATUS_TEXT: Readonly<Record<string, string>> = { pass: 'pass', fail: 'fail', 'not-applicable': 'n/a', manual: 'manual' };

export async function renderCompliance(main: HTMLElement, context: ViewContext): Promise<void> {
  const frameworks = await get<FrameworkJson[]>('/api/compliance');
  const chosen = context.route.params.get('framework') ?? frameworks[0]?.id ?? '';
  const framework = frameworks.find((f) => f.id === chosen) ?? frameworks[0];
  main.append(
    h('h1', {}, 'Compliance'),
    h(
      'p',
      { class: 'muted' },
      'Control status from the framework references of each check: a control fails while an open, unsuppressed finding of one of its checks stands.',
    ),
    svgBox(
      horizontalBars(
        frameworks.map((f) => ({
          label: f.name.replace(/ Kubernetes| for Containers/g, ''),
          value: f.summary.score ?? 0,
          color: '#1d6b35',
        })),
        { title: 'Score per framework (percent of decided controls passing)' },
      ),
    ),
    h(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': 'Frameworks' },
      frameworks.map((f) =>
        h(
          'a',
          { role: 'tab', href: `#/compliance?framework=${f.id}`, 'aria-selected': String(f.id === framework?.id), class: 'tab' },
          `${f.name} · ${f.summary.score === undefined ? '–' : `${f.summary.score}%`}`,
        ),
      ),
    ),
  );
  if (framework === undefined) return;
  const s = framework.summary;
  main.append(
    h(
      'section',
      { class: 'panel', role: 'tabpanel', 'aria-labelledby': 'fw-h' },
      h('h2', { id: 'fw-h' }, framework.name),
      h(
        'p',
        { 'data-testid': 'framework-summary' },
        `Score ${s.score === undefined ? '–' : `${s.score}%`} · ${s.pass} pass · ${s.fail} fail · ${s.manual} manual · ${s.notApplicable} not applicable (${s.controls} controls)`,
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, `${framework.name} controls`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Control', 'Status', 'Open findings', 'Checks'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            framework.controls.map((c) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, c.title),
                h(
                  'td',
                  {},
                  h('span', { class: `status status-${c.status}` }, STATUS_TEXT[c.status] ?? c.status),
                  c.reason === undefined ? null : h('div', { class: 'muted small' }, c.reason),
                ),
                h(
                  'td',
                  { class: 'num' },
                  c.findings,
                  c.suppressed > 0 ? h('span', { class: 'muted small' }, ` (+${c.suppressed} suppressed)`) : null,
                ),
                h(
                  'td',
                  {},
                  c.checks.flatMap((id, i) => [
                    i > 0 ? ', ' : '',
                    h('a', { href: `#/findings?check=${encodeURIComponent(id)}&status=all` }, id),
                  ]),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
