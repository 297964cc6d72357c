import type { AccessSubjectJson, CanJson, WhoCanJson } from '../../../src/server/api-types.js';
import { ApiError, get, query } from '../api.js';
import { clear, field, h, severityBadge } from '../dom.js';
import type { ViewContext } from '../main.js';

function input(id: string, value = '', placeholder = ''): HTMLInputElement {
  return h('input', { id, type: 'text', value, placeholder, autocomplete: 'off' });
}

function queryForm(title: string, id: string, fields: HTMLElement[], run: (out: HTMLElement) => Promise<void>): HTMLElement {
  const out = h('div', { class: 'answer', 'aria-live': 'polite', 'data-testid': `${id}-answer` });
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-labelledby': `${id}-h`,
      onsubmit: (event: Event) => {
        event.preventDefault();
        clear(out);
        run(out).catch((err: unknown) => {
          out.append(
            h(
              'p',
              { class: 'error', role: 'alert' },
              err instanceof ApiError ? `${err.message}${err.hint === undefined ? '' : ` ${err.hint}`}` : String(err),
            ),
          );
        });
      },
    },
    fields,
    h('div', { class: 'field' }, h('span', { 'aria-hidden': 'true' }, ' '), h('button', { type: 'submit', class: 'primary' }, 'Ask')),
  );
  return h('section', { class: 'panel' }, h('h2', { id: `${id}-h` }, title), form, out);
}

export async function renderAccess(main: HTMLElement, context: ViewContext): Promise<void> {
  main.append(h('h1', {}, 'Access'));
  if (!context.meta.inventory) {
    main.append(
      h(
        'p',
        { class: 'panel' },
        'No objects are loaded: run the dashboard from `vigil monitor`, or give `vigil dashboard` the manifests or a snapshot.',
      ),
    );
    return;
  }
  const wcVerb = input('wc-verb', 'get', 'get');
  const wcResource = input('wc-resource', 'secrets', 'secrets, pods/exec, /metrics');
  const wcGroup = input('wc-group', '', 'core');
  const wcNamespace = input('wc-namespace', '', 'all namespaces');
  const whoCan = queryForm(
    'Who can…?',
    'who-can',
    [field('Verb', wcVerb), field('Resource', wcResource), field('API group', wcGroup), field('Namespace', wcNamespace)],
    async (out) => {
      const answer = await get<WhoCanJson>(
        `/api/access/who-can${query({ verb: wcVerb.value, resource: wcResource.value, apiGroup: wcGroup.value, namespace: wcNamespace.value })}`,
      );
      out.append(
        h('p', {}, `${answer.subjects.length} subject${answer.subjects.length === 1 ? '' : 's'} can ${answer.request}`),
        h(
          'ul',
          { class: 'plain' },
          answer.subjects.map((s) =>
            h(
              'li',
              {},
              h('strong', {}, s.subject),
              h(
                'ul',
                {},
                s.grants.map((g) => h('li', { class: 'small' }, g.text)),
              ),
            ),
          ),
        ),
      );
    },
  );
  const cUser = input('can-user', '', 'jane or system:serviceaccount:shop:web');
  const cGroups = input('can-groups', '', 'comma-separated');
  const cVerb = input('can-verb', 'get');
  const cResource = input('can-resource', 'secrets');
  const cNamespace = input('can-namespace', '', 'cluster-wide');
  const can = queryForm(
    'Can this user…?',
    'can',
    [field('User', cUser), field('Groups', cGroups), field('Verb', cVerb), field('Resource', cResource), field('Namespace', cNamespace)],
    async (out) => {
      const answer = await get<CanJson>(
        `/api/access/can${query({ user: cUser.value, groups: cGroups.value, verb: cVerb.value, resource: cResource.value, namespace: cNamespace.value })}`,
      );
      out.append(
        h(
          'p',
          { class: `verdict ${answer.allowed ? 'yes' : 'no'}` },
          `${answer.user.name} ${answer.allowed ? 'CAN' : 'cannot'} ${answer.request}`,
        ),
        h('p', { class: 'muted small' }, `Groups: ${answer.user.groups.join(', ')}`),
        h(
          'ul',
          { class: 'plain' },
          answer.grants.map((g) => h('li', { class: 'small' }, g.text)),
        ),
      );
    },
  );

  const subjects = await get<AccessSubjectJson[]>('/api/access/subjects');
  const showSystem = context.route.params.get('system') === '1';
  const shown = subjects.filter((s) => showSystem || !s.system);
  const toggle = h('input', {
    type: 'checkbox',
    id: 'show-system',
    onchange: () => {
      location.hash = showSystem ? '#/access' : '#/access?system=1';
    },
  });
  toggle.checked = showSystem;
  main.append(
    whoCan,
    can,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'subjects-h' },
      h('h2', { id: 'subjects-h' }, 'Subjects and their risky permissions'),
      h('div', { class: 'field inline' }, toggle, h('label', { for: 'show-system' }, 'Show Kubernetes’ own system identities')),
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
              ['Subject', 'Bindings', 'Risky permissions'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            shown.map((s) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, `${s.kind} ${s.namespace === undefined ? '' : `${s.namespace}/`}${s.name}`),
                h('td', { class: 'num' }, s.bindings),
                h(
                  'td',
                  {},
                  s.risks.length === 0
                    ? h('span', { class: 'muted' }, 'none')
                    : h(
                        'ul',
                        { class: 'plain' },
                        s.risks.map((r) =>
                          h(
                            'li',
                            {},
                            severityBadge(r.severity),
                            ` ${r.title}: `,
                            h('code', {}, r.request),
                            h('div', { class: 'muted small' }, r.via),
                          ),
                        ),
                      ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
