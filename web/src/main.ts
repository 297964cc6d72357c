import type { MetaJson } from '../../src/server/api-types.js';
import { ApiError, chooseCluster, chosenCluster, get, setToken } from './api.js';
import { clear, h } from './dom.js';
import { renderAccess } from './views/access.js';
import { renderAudit } from './views/audit.js';
import { renderCompliance } from './views/compliance.js';
import { renderFindings } from './views/findings.js';
import { renderFleet } from './views/fleet.js';
import { renderNetwork } from './views/network.js';
import { renderOverview } from './views/overview.js';

/*
 * The dashboard's front end: hash routes (`#/findings/<fingerprint>?severity=high`), one render
 * function per view, everything fetched from the HTTP API. Focus moves to the new view's heading on
 * navigation so keyboard and screen-reader users land where the content is.
 */

export interface Route {
  readonly view: string;
  /** Path segments after the view (a finding's fingerprint). */
  readonly rest: readonly string[];
  readonly params: URLSearchParams;
}

export interface ViewContext {
  readonly meta: MetaJson;
  readonly route: Route;
  /** Change the route's query without re-rendering the whole view. */
  replaceParams(params: URLSearchParams): void;
}

type Renderer = (main: HTMLElement, context: ViewContext) => Promise<void>;

const OVERVIEW = { title: 'Overview', render: renderOverview };

const VIEWS: Readonly<Record<string, { title: string; render: Renderer }>> = {
  overview: OVERVIEW,
  findings: { title: 'Findings', render: renderFindings },
  compliance: { title: 'Compliance', render: renderCompliance },
  network: { title: 'Network', render: renderNetwork },
  access: { title: 'Access', render: renderAccess },
  audit: { title: 'Audit', render: renderAudit },
  fleet: { title: 'Fleet', render: renderFleet },
};

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2);
  const [view = 'overview', ...rest] = path.split('/').filter((s) => s !== '');
  return { view: VIEWS[view] === undefined ? 'overview' : view, rest: rest.map(decodeURIComponent), params: new URLSearchParams(search) };
}

let meta: MetaJson | undefined;
let renderCount = 0;

function tokenForm(main: HTMLElement, message: string): void {
  clear(main);
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true });
  const form = h(
    'form',
    {
      class: 'panel narrow',
      onsubmit: (event: Event) => {
        event.preventDefault();
        setToken(input.value.trim());
        meta = undefined;
        void render();
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, message),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Bearer token'), input),
    h('button', { type: 'submit', class: 'primary' }, 'Use token'),
  );
  main.appendChild(form);
  input.focus();
}

/**
 * The cluster line of the header: its name and whether it is live; a chooser when the store holds
 * several clusters (every API call then names the chosen one).
 */
function showCluster(m: MetaJson): void {
  const box = document.getElementById('cluster');
  if (box === null) return;
  clear(box);
  const state = `${m.mode === 'monitor' ? 'live' : 'stored history'}${m.ready ? '' : ' · evaluating…'}`;
  const chosen = chosenCluster();
  if (chosen !== undefined && !m.clusters.includes(chosen)) chooseCluster(undefined);
  if (m.clusters.length <= 1) {
    box.textContent = `${m.cluster ?? 'no cluster yet'} · ${state}`;
    return;
  }
  const picker = h('select', {
    id: 'cluster-select',
    'aria-label': 'Cluster',
    onchange: (event: Event) => {
      chooseCluster((event.target as HTMLSelectElement).value);
      void render();
    },
  });
  for (const name of m.clusters) {
    const option = h('option', { value: name }, name);
    if (name === (chosenCluster() ?? m.cluster)) option.selected = true;
    picker.appendChild(option);
  }
  box.append(picker, ` ${state}`);
}

async function render(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  const route = parseRoute(location.hash);
  const view = VIEWS[route.view] ?? OVERVIEW;
  const count = ++renderCount;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    if (link.dataset.view === route.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${view.title} · Vigil`;
  try {
    meta ??= await get<MetaJson>('/api/meta');
    showCluster(meta);
    const container = h('div', { class: 'view', 'data-view': route.view });
    await view.render(container, {
      meta,
      route,
      replaceParams: (params) => {
        const path = [route.view, ...route.rest.map(encodeURIComponent)].join('/');
        const search = params.toString();
        history.replaceState(null, '', `#/${path}${search === '' ? '' : `?${search}`}`);
      },
    });
    if (count !== renderCount) return;
    clear(main);
    main.appendChild(container);
    main.setAttribute('aria-busy', 'false');
    const heading = container.querySelector('h1');
    if (heading !== null && focusOnRender) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  } catch (err: unknown) {
    if (count !== renderCount) return;
    if (err instanceof ApiError && err.status === 401) {
      tokenForm(main, 'This dashboard needs the bearer token it was started with (--token-file).');
      return;
    }
    clear(main);
    main.appendChild(
      h(
        'div',
        { class: 'panel error', role: 'alert' },
        h('h1', {}, 'Something went wrong'),
        h('p', {}, err instanceof Error ? err.message : String(err)),
        err instanceof ApiError && err.hint !== undefined ? h('p', {}, err.hint) : null,
      ),
    );
  }
}

/** Focus the heading after navigation, not on the very first load (the skip link is first then). */
let focusOnRender = false;

// The skip link must not change the address: the hash is the router's, so move focus by hand.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main')?.focus();
});

window.addEventListener('hashchange', () => {
  focusOnRender = true;
  void render();
});
if (location.hash === '') history.replaceState(null, '', '#/overview');
void render();
