import type { NetworkGraphJson, NetworkWorkloadJson } from '../../../src/server/api-types.js';
import { escapeXml } from '../../../src/report/svg-charts.js';
import { ApiError, get, query } from '../api.js';
import { append, clear, field, h, select, svgBox } from '../dom.js';
import type { ViewContext } from '../main.js';

interface ReachAnswerJson {
  readonly allowed: boolean | null;
  readonly error?: string;
  readonly hint?: string;
  readonly outOfScope?: string;
  readonly text: string;
  readonly egress: {
    readonly allowed: boolean;
    readonly reason: string;
    readonly policies: readonly { policy: string; verdict: string; file?: string; line?: number }[];
  } | null;
  readonly ingress: {
    readonly allowed: boolean;
    readonly reason: string;
    readonly policies: readonly { policy: string; verdict: string; file?: string; line?: number }[];
  } | null;
}

/**
 * Namespaces as boxes in a grid, workloads as dots inside them (solid: selected by an ingress policy,
 * hollow red: not isolated), allowed flows as lines. The table below carries the same facts in text.
 */
function graphSvg(graph: NetworkGraphJson): string {
  const namespaces = graph.namespaces.filter((n) => n.workloads > 0);
  const cols = Math.max(1, Math.min(3, namespaces.length));
  const boxW = 280;
  const rowH = 26;
  const pos = new Map<string, { x: number; y: number }>();
  const parts: string[] = [];
  let y = 10;
  for (let i = 0; i < namespaces.length; i += cols) {
    const row = namespaces.slice(i, i + cols);
    const height = 34 + Math.max(...row.map((n) => n.workloads)) * rowH;
    row.forEach((ns, j) => {
      const x = 10 + j * (boxW + 20);
      const isolated = ns.ingressIsolated === ns.workloads;
      parts.push(
        `<rect x="${x}" y="${y}" width="${boxW}" height="${height}" rx="8" fill="#f6f8fa" stroke="${isolated ? '#1d6b35' : '#b3261e'}" stroke-width="2" ${isolated ? '' : 'stroke-dasharray="6 4"'}/>`,
        `<text x="${x + 10}" y="${y + 20}" font-size="13" font-weight="700" fill="#1f2630">${escapeXml(ns.name)} (${ns.ingressIsolated}/${ns.workloads} isolated)</text>`,
      );
      graph.workloads
        .filter((w) => w.namespace === ns.name)
        .forEach((w, k) => {
          const cx = x + 20;
          const cy = y + 40 + k * rowH;
          pos.set(w.id, { x: cx, y: cy });
          const fill = w.ingressIsolated ? '#1d6b35' : '#ffffff';
          const stroke = w.ingressIsolated ? '#1d6b35' : '#b3261e';
          parts.push(
            `<circle cx="${cx}" cy="${cy}" r="7" fill="${fill}" stroke="${stroke}" stroke-width="2"><title>${escapeXml(`${w.id}: ingress ${w.ingressIsolated ? 'isolated' : 'open to all'}, egress ${w.egressIsolated ? 'isolated' : 'open to all'}`)}</title></circle>`,
            `<text x="${cx + 14}" y="${cy + 4}" font-size="12" fill="#1f2630">${escapeXml(w.name)}${w.kind === 'Pod' ? '' : ` (${escapeXml(w.kind)})`}</text>`,
          );
        });
    });
    y += height + 20;
  }
  const width = 10 + cols * (boxW + 20);
  const lines = graph.flows
    .filter((f) => pos.has(f.from) && pos.has(f.to))
    .map((f) => {
      const a = pos.get(f.from) as { x: number; y: number };
      const b = pos.get(f.to) as { x: number; y: number };
      const bend = a.x === b.x ? -60 : 0;
      return `<path d="M${a.x},${a.y} C${a.x + bend},${a.y} ${b.x + bend},${b.y} ${b.x},${b.y}" fill="none" stroke="#2f5f8a" stroke-opacity="0.35" stroke-width="1.5"><title>${escapeXml(`${f.from} → ${f.to}: ${f.ports}`)}</title></path>`;
    });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${y}" width="100%" role="img" class="chart network"><title>Namespaces, workloads and allowed flows</title>${lines.join('')}${parts.join('')}</svg>`;
}

function verdicts(label: string, side: ReachAnswerJson['egress']): HTMLElement | null {
  if (side === null) return null;
  return h(
    'div',
    {},
    h('h3', {}, `${label}: ${side.allowed ? 'allowed' : 'denied'} (${side.reason})`),
    side.policies.length === 0
      ? h('p', { class: 'muted' }, 'No policy selects this side for this direction.')
      : h(
          'ul',
          { class: 'plain' },
          side.policies.map((p) =>
            h(
              'li',
              {},
              h('code', {}, p.policy),
              ` ${p.verdict}${p.file === undefined ? '' : ` (${p.file}${p.line === undefined ? '' : `:${p.line}`})`}`,
            ),
          ),
        ),
  );
}

function reachForm(workloads: readonly NetworkWorkloadJson[], context: ViewContext): HTMLElement {
  const options = workloads.map((w) => ({ value: w.id, label: w.id }));
  const params = context.route.params;
  const from = select('from', options, params.get('from') ?? workloads[0]?.id ?? '');
  const to = select('to', options, params.get('to') ?? workloads[1]?.id ?? '');
  from.id = 'reach-from';
  to.id = 'reach-to';
  const port = h('input', {
    id: 'reach-port',
    name: 'port',
    type: 'text',
    inputmode: 'numeric',
    value: params.get('port') ?? '80',
    required: true,
    size: 8,
  });
  const protocol = select(
    'protocol',
    ['TCP', 'UDP', 'SCTP'].map((p) => ({ value: p, label: p })),
    params.get('protocol') ?? 'TCP',
  );
  protocol.id = 'reach-protocol';
  const answer = h('div', { class: 'answer', 'aria-live': 'polite', 'data-testid': 'reach-answer' });
  const ask = async (): Promise<void> => {
    const next = new URLSearchParams({ from: from.value, to: to.value, port: port.value, protocol: protocol.value });
    context.replaceParams(next);
    clear(answer);
    try {
      const result = await get<ReachAnswerJson>(
        `/api/network/reach${query({ from: from.value, to: to.value, port: port.value.trim(), protocol: protocol.value })}`,
      );
      const verdict =
        result.error !== undefined
          ? 'cannot answer'
          : result.allowed === null
            ? 'outside NetworkPolicy'
            : result.allowed
              ? 'ALLOWED'
              : 'DENIED';
      append(answer, [
        h(
          'p',
          {
            class: `verdict ${result.allowed === true ? 'yes' : result.allowed === false ? 'no' : 'unknown'}`,
            'data-testid': 'reach-verdict',
          },
          `${from.value} → ${to.value} on ${protocol.value}/${port.value}: ${verdict}`,
        ),
        result.error === undefined ? null : h('p', {}, result.error, result.hint === undefined ? '' : ` ${result.hint}`),
        verdicts('Egress of the source', result.egress),
        verdicts('Ingress of the destination', result.ingress),
        h('details', {}, h('summary', {}, 'Full explanation'), h('pre', {}, result.text)),
      ]);
    } catch (err: unknown) {
      answer.append(h('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? err.message : String(err)));
    }
  };
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-labelledby': 'reach-h',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void ask();
      },
    },
    field('From', from),
    field('To', to),
    field('Port', port, 'number or name'),
    field('Protocol', protocol),
    h(
      'div',
      { class: 'field' },
      h('span', { 'aria-hidden': 'true' }, ' '),
      h('button', { type: 'submit', class: 'primary' }, 'Can they talk?'),
    ),
  );
  if (params.get('from') !== null && params.get('to') !== null) void ask();
  return h('section', { class: 'panel' }, h('h2', { id: 'reach-h' }, 'Can these two talk?'), form, answer);
}

export async function renderNetwork(main: HTMLElement, context: ViewContext): Promise<void> {
  const graph = await get<NetworkGraphJson>('/api/network');
  main.append(h('h1', {}, 'Network'));
  if (!graph.available) {
    main.append(h('p', { class: 'panel' }, graph.reason ?? 'Not available.'));
    return;
  }
  const inScope = graph.workloads.filter((w) => w.outOfScope === undefined);
  main.append(
    reachForm(inScope, context),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'graph-h' },
      h('h2', { id: 'graph-h' }, 'Isolation and allowed flows'),
      h(
        'p',
        { class: 'muted small' },
        'Filled dot: selected by an ingress NetworkPolicy (default deny for what no rule allows). Hollow red dot: accepts traffic from anywhere. Dashed red box: a namespace with unisolated workloads. Lines: allowed flows.',
      ),
      svgBox(graphSvg(graph), 'chart-box scroll'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('caption', {}, 'Namespaces'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Namespace', 'Workloads', 'Ingress isolated', 'Egress isolated', 'Policies'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            graph.namespaces.map((n) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, n.name),
                h('td', { class: 'num' }, n.workloads),
                h('td', { class: 'num' }, n.ingressIsolated),
                h('td', { class: 'num' }, n.egressIsolated),
                h('td', { class: 'num' }, n.policies),
              ),
            ),
          ),
        ),
      ),
      h(
        'details',
        {},
        h(
          'summary',
          {},
          `Allowed flows between workloads (${graph.flowsTotal}${graph.flowsTotal > graph.flows.length ? `, first ${graph.flows.length}` : ''})`,
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
                ['From', 'To', 'Ports'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              graph.flows.map((f) => h('tr', {}, h('td', {}, f.from), h('td', {}, f.to), h('td', {}, f.ports))),
            ),
          ),
        ),
      ),
    ),
  );
}
