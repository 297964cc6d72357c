import type { ExceptionJson, FindingDetailJson, FindingRowJson, FindingsPageJson } from '../../../src/server/api-types.js';
import { ApiError, del, download, get, post, query } from '../api.js';
import { announce, clear, field, formatTime, h, resourceText, select, severityBadge } from '../dom.js';
import type { ViewContext } from '../main.js';

const FILTERS = ['status', 'severity', 'area', 'namespace', 'check', 'q'] as const;

function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, status);
}

function locationText(f: FindingRowJson): string {
  const file = f.location.file === undefined ? '' : ` (${f.location.file}${f.location.line === undefined ? '' : `:${f.location.line}`})`;
  return `${f.location.path === '' ? '(the object)' : f.location.path}${file}`;
}

function rowsOf(page: FindingsPageJson, params: URLSearchParams): HTMLTableRowElement[] {
  if (page.findings.length === 0) return [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No finding matches these filters.'))];
  const search = params.toString();
  return page.findings.map((f) =>
    h(
      'tr',
      { 'data-fingerprint': f.fingerprint },
      h('td', {}, severityBadge(f.severity)),
      h(
        'td',
        {},
        h('a', { href: `#/findings/${encodeURIComponent(f.fingerprint)}${search === '' ? '' : `?${search}`}` }, f.title),
        h('div', { class: 'muted small' }, f.message),
      ),
      h('td', {}, resourceText(f.resource)),
      h('td', {}, h('code', {}, locationText(f))),
      h('td', {}, statusBadge(f.status)),
    ),
  );
}

function inAYear(): string {
  const date = new Date(Date.now() + 90 * 86_400_000);
  return date.toISOString().slice(0, 10);
}

function suppressForm(finding: FindingDetailJson, onDone: () => void): HTMLElement {
  const reason = h('textarea', { id: 'suppress-reason', name: 'reason', rows: 3, required: true, maxlength: 1000 });
  const expires = h('input', {
    id: 'suppress-expires',
    name: 'expires',
    type: 'date',
    value: inAYear(),
    min: new Date().toISOString().slice(0, 10),
  });
  const owner = h('input', { id: 'suppress-owner', name: 'owner', type: 'text', autocomplete: 'email' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'suppress',
      'aria-labelledby': 'suppress-h',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const body: Record<string, string> = { reason: reason.value };
        if (expires.value !== '') body.expires = expires.value;
        if (owner.value.trim() !== '') body.owner = owner.value.trim();
        post<ExceptionJson>(`/api/findings/${encodeURIComponent(finding.fingerprint)}/suppress`, body)
          .then((exception) => {
            announce(`Suppressed: exception #${exception.id} written.`);
            onDone();
          })
          .catch((err: unknown) => {
            message.textContent = err instanceof ApiError ? `${err.message}${err.hint === undefined ? '' : ` ${err.hint}`}` : String(err);
          });
      },
    },
    h('h3', { id: 'suppress-h' }, 'Suppress this finding'),
    h(
      'p',
      { class: 'muted small' },
      `Writes an exception for ${finding.checkId} on ${resourceText(finding.resource)}${finding.container === undefined ? '' : ` (container ${finding.container})`} into the store. The monitor and \`vigil scan --exceptions-store\` honour it; export it as .vigil.yaml below.`,
    ),
    field('Reason (required)', reason, 'Why is this acceptable? Reviewers read this.'),
    h('div', { class: 'row' }, field('Expires', expires, 'The exception applies through this day.'), field('Owner', owner)),
    h('button', { type: 'submit', class: 'primary' }, 'Suppress'),
    message,
  );
  return form;
}

async function detailPanel(fingerprint: string, context: ViewContext, rerender: () => void): Promise<HTMLElement> {
  let finding: FindingDetailJson;
  try {
    finding = await get<FindingDetailJson>(`/api/findings/${encodeURIComponent(fingerprint)}`);
  } catch (err: unknown) {
    return h(
      'section',
      { class: 'panel error', role: 'alert' },
      h('h2', {}, 'Finding not found'),
      h('p', {}, err instanceof Error ? err.message : String(err)),
    );
  }
  const back = new URLSearchParams(context.route.params);
  const frameworks = Object.entries(finding.frameworks).flatMap(([fw, ids]) => ids.map((id) => `${fw}:${id}`));
  return h(
    'section',
    { class: 'panel detail', 'aria-labelledby': 'detail-h', 'data-testid': 'finding-detail' },
    h('p', {}, h('a', { href: `#/findings${back.toString() === '' ? '' : `?${back.toString()}`}` }, '← All findings')),
    h('h2', { id: 'detail-h' }, severityBadge(finding.severity), ' ', finding.title),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Status'),
      h('dd', { 'data-testid': 'detail-status' }, statusBadge(finding.status)),
      h('dt', {}, 'Object'),
      h('dd', {}, resourceText(finding.resource), finding.container === undefined ? '' : ` · container ${finding.container}`),
      h('dt', {}, 'Field'),
      h('dd', {}, h('code', {}, locationText(finding))),
      h('dt', {}, 'Check'),
      h('dd', {}, h('code', {}, finding.checkId)),
      h('dt', {}, 'Seen'),
      h(
        'dd',
        {},
        `first ${formatTime(finding.firstSeen)}, last ${formatTime(finding.lastSeen)}${finding.reopenCount > 0 ? `, reopened ${finding.reopenCount}×` : ''}`,
      ),
      frameworks.length === 0 ? null : h('dt', {}, 'Frameworks'),
      frameworks.length === 0 ? null : h('dd', {}, frameworks.join(', ')),
    ),
    h('h3', {}, 'What is wrong'),
    h('p', {}, finding.message),
    finding.description === undefined ? null : h('p', {}, finding.description),
    h('h3', {}, 'How to fix it'),
    h('p', {}, finding.remediation),
    finding.suppression === undefined
      ? null
      : h(
          'div',
          { class: 'note', 'data-testid': 'suppression' },
          h('strong', {}, 'Suppressed: '),
          finding.suppression.reason,
          h(
            'div',
            { class: 'muted small' },
            `${finding.suppression.source}${finding.suppression.expires === undefined ? '' : ` · expires ${finding.suppression.expires}`}${finding.suppression.owner === undefined ? '' : ` · owner ${finding.suppression.owner}`}`,
          ),
        ),
    finding.status === 'open' ? suppressForm(finding, rerender) : null,
    finding.events.length === 0
      ? null
      : h(
          'details',
          {},
          h('summary', {}, `History (${finding.events.length})`),
          h(
            'ul',
            { class: 'plain' },
            finding.events.map((e) => h('li', {}, `${formatTime(e.at)} · ${e.type}`)),
          ),
        ),
    finding.docs === undefined
      ? null
      : h('details', {}, h('summary', {}, 'The check’s documentation'), h('pre', { class: 'docs' }, finding.docs)),
  );
}

async function exceptionsPanel(rerender: () => void): Promise<HTMLElement> {
  const list = await get<ExceptionJson[]>('/api/exceptions');
  return h(
    'details',
    { class: 'panel' },
    h('summary', {}, `Exceptions written from the dashboard (${list.length})`),
    h(
      'p',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            download('/api/exceptions.yaml', 'vigil-exceptions.yaml').catch((err: unknown) => {
              announce(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
            });
          },
        },
        'Export as .vigil.yaml',
      ),
    ),
    list.length === 0
      ? h('p', { class: 'muted' }, 'None yet.')
      : h(
          'ul',
          { class: 'plain' },
          list.map((e) =>
            h(
              'li',
              {},
              h('code', {}, `#${e.id} ${e.check}`),
              ` ${[e.namespace, e.kind, e.name, e.container].filter((x) => x !== undefined).join(' / ')} — ${e.reason}${e.expires === undefined ? '' : ` (until ${e.expires}${e.expired ? ', expired' : ''})`} `,
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () => {
                    if (!confirm(`Remove exception #${e.id}? The findings it suppresses stand again.`)) return;
                    void del(`/api/exceptions/${e.id}`).then(() => {
                      announce(`Exception #${e.id} removed.`);
                      rerender();
                    });
                  },
                },
                'Remove',
              ),
            ),
          ),
        ),
  );
}

export async function renderFindings(main: HTMLElement, context: ViewContext): Promise<void> {
  const params = new URLSearchParams(context.route.params);
  const fetchPage = (p: URLSearchParams): Promise<FindingsPageJson> =>
    get<FindingsPageJson>(`/api/findings${query(Object.fromEntries(FILTERS.map((k) => [k, p.get(k) ?? undefined])))}`);
  const page = await fetchPage(params);
  const rerender = (): void => {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  };
  const detail = context.route.rest[0] === undefined ? null : await detailPanel(context.route.rest[0], context, rerender);

  const tbody = h('tbody', {}, rowsOf(page, params));
  const count = h(
    'p',
    { class: 'count-line', 'data-testid': 'findings-count', 'aria-live': 'polite' },
    `${page.total} finding${page.total === 1 ? '' : 's'}`,
  );
  const refresh = async (): Promise<void> => {
    const next = await fetchPage(params);
    clear(tbody);
    for (const row of rowsOf(next, params)) tbody.appendChild(row);
    count.textContent = `${next.total} finding${next.total === 1 ? '' : 's'}${next.total > next.findings.length ? ` (first ${next.findings.length} shown)` : ''}`;
  };
  const onFilter = (name: string) => (event: Event) => {
    const value = (event.target as HTMLInputElement | HTMLSelectElement).value;
    if (value === '') params.delete(name);
    else params.set(name, value);
    context.replaceParams(params);
    void refresh();
  };
  const any = { value: '', label: 'Any' };
  const statusSelect = select(
    'status',
    [
      { value: '', label: 'Open' },
      { value: 'suppressed', label: 'Suppressed' },
      { value: 'resolved', label: 'Resolved' },
      { value: 'all', label: 'All' },
    ],
    params.get('status') ?? '',
  );
  const severitySelect = select(
    'severity',
    [any, ...['critical', 'high', 'medium', 'low', 'info'].map((s) => ({ value: s, label: s }))],
    params.get('severity') ?? '',
  );
  const areaSelect = select(
    'area',
    [any, ...page.facets.areas.map((a) => ({ value: a, label: context.meta.areas[a] ?? a }))],
    params.get('area') ?? '',
  );
  const namespaceSelect = select(
    'namespace',
    [any, ...page.facets.namespaces.map((n) => ({ value: n, label: n === '' ? '(cluster-scoped)' : n }))],
    params.get('namespace') ?? '',
  );
  const checkSelect = select('check', [any, ...page.facets.checks.map((c) => ({ value: c, label: c }))], params.get('check') ?? '');
  const search = h('input', {
    type: 'search',
    name: 'q',
    value: params.get('q') ?? '',
    placeholder: 'words in title, message, object, field',
  });
  statusSelect.addEventListener('change', onFilter('status'));
  severitySelect.addEventListener('change', onFilter('severity'));
  areaSelect.addEventListener('change', onFilter('area'));
  namespaceSelect.addEventListener('change', onFilter('namespace'));
  checkSelect.addEventListener('change', onFilter('check'));
  let timer: number | undefined;
  search.addEventListener('input', (event) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      onFilter('q')(event);
    }, 250);
  });

  main.append(h('h1', {}, 'Findings'));
  if (detail !== null) main.append(detail);
  main.append(
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': 'Filter findings',
        onsubmit: (e: Event) => {
          e.preventDefault();
        },
      },
      field('Status', statusSelect),
      field('Severity', severitySelect),
      field('Area', areaSelect),
      field('Namespace', namespaceSelect),
      field('Check', checkSelect),
      field('Search', search),
    ),
    count,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'findings-table' },
        h('caption', { class: 'visually-hidden' }, 'Findings, most severe first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Severity', 'Finding', 'Object', 'Field', 'Status'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        tbody,
      ),
    ),
    await exceptionsPanel(rerender),
  );
}
