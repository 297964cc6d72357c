import {
  ConnectionSet,
  formatRange,
  type ConnectionSetJson,
  type MatrixStats,
  type ModelPod,
  type Protocol,
  type ReachabilityMatrix,
} from '../../analysis/netpol/index.js';

/**
 * The reachability matrix as something to look at: nodes (pods, and classes of outside addresses)
 * and the edges between them, rendered as a table, JSON, Graphviz DOT or Mermaid.
 */

export const MATRIX_FORMATS = ['table', 'json', 'dot', 'mermaid'] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

export interface MatrixNode {
  readonly id: string;
  readonly type: 'pod' | 'external';
  readonly namespace?: string;
  readonly name?: string;
  readonly kind?: string;
  /** Address ranges of an outside node, as CIDRs or first-last ranges. */
  readonly ranges?: readonly string[];
}

export interface MatrixEdge {
  readonly from: string;
  readonly to: string;
  readonly connections: ConnectionSetJson;
}

export interface MatrixView {
  readonly nodes: readonly MatrixNode[];
  readonly edges: readonly MatrixEdge[];
  /** Only edges allowing this connection, when asked. */
  readonly port?: { readonly protocol: Protocol; readonly port: number };
  readonly outOfScope: readonly { readonly id: string; readonly reason: string }[];
  readonly stats: MatrixStats;
}

export interface MatrixViewOptions {
  readonly namespace?: string;
  readonly port?: { readonly protocol: Protocol; readonly port: number };
  /** Include classes of outside addresses as nodes (default true). */
  readonly external?: boolean;
}

interface NodeRef {
  readonly node: MatrixNode;
  readonly pod?: ModelPod;
  readonly cls: number;
}

/** Nodes and edges of a matrix, filtered by namespace and port. */
export function matrixView(matrix: ReachabilityMatrix, options: MatrixViewOptions = {}): MatrixView {
  const refs: NodeRef[] = [];
  const pods = matrix.pods.filter((p) => options.namespace === undefined || p.namespace === options.namespace);
  for (const pod of [...pods].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    refs.push({
      node: { id: pod.id, type: 'pod', namespace: pod.namespace, name: pod.name, kind: pod.kind },
      pod,
      cls: matrix.classOf(pod),
    });
  }
  if (options.external !== false) {
    for (const external of matrix.externalClasses()) {
      const ranges = external.ranges.map(formatRange);
      refs.push({ node: { id: `external:${ranges.join(',')}`, type: 'external', ranges }, cls: external.id });
    }
  }
  const edges: MatrixEdge[] = [];
  for (const from of refs) {
    for (const to of refs) {
      if (from === to || (from.node.type === 'external' && to.node.type === 'external')) continue;
      let set = matrix.sets.get(matrix.cell(from.cls, to.cls));
      if (options.port !== undefined) {
        if (!set.has(options.port.protocol, options.port.port)) continue;
        set = ConnectionSet.ports(options.port.protocol, options.port.port, options.port.port);
      }
      if (!set.isEmpty) edges.push({ from: from.node.id, to: to.node.id, connections: set.toJSON() });
    }
  }
  const outOfScope = matrix.model.pods
    .filter((p) => p.outOfScope !== undefined && (options.namespace === undefined || p.namespace === options.namespace))
    .map((p) => ({ id: p.id, reason: p.outOfScope as string }));
  return {
    nodes: refs.map((r) => r.node),
    edges,
    ...(options.port === undefined ? {} : { port: options.port }),
    outOfScope,
    stats: matrix.stats(),
  };
}

function edgeText(connections: ConnectionSetJson): string {
  return ConnectionSet.fromJson(connections).toString().replace('all connections', 'all');
}

function nodeLabel(node: MatrixNode): string {
  if (node.type === 'pod') return node.id;
  const ranges = node.ranges ?? [];
  return ranges.length <= 3 ? ranges.join(', ') : `${ranges.slice(0, 2).join(', ')} +${ranges.length - 2} ranges`;
}

/**
 * Rows are sources, columns destinations; a cell says what is allowed (`-` nothing, `·` the pod
 * itself, empty between two outside nodes, which NetworkPolicy says nothing about).
 */
export function formatMatrixTable(view: MatrixView): string {
  const byPair = new Map(view.edges.map((e) => [`${e.from}\u0000${e.to}`, e.connections]));
  // Outside nodes get short names in the grid and their ranges in a legend below it.
  const outside = view.nodes.filter((n) => n.type === 'external');
  const short = new Map(outside.map((n, i) => [n.id, outside.length === 1 ? 'outside' : `outside-${i + 1}`]));
  const label = (node: MatrixNode): string => short.get(node.id) ?? node.id;
  const header = [
    view.port === undefined ? 'FROM \\ TO' : `FROM \\ TO (${view.port.protocol}/${view.port.port})`,
    ...view.nodes.map(label),
  ];
  const rows = view.nodes.map((from) => [
    label(from),
    ...view.nodes.map((to) => {
      if (from.id === to.id) return '·';
      if (from.type === 'external' && to.type === 'external') return '';
      const connections = byPair.get(`${from.id}\u0000${to.id}`);
      if (connections === undefined) return '-';
      return view.port === undefined ? edgeText(connections) : 'yes';
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push('');
  for (const node of outside) out.push(`${label(node)}: ${(node.ranges ?? []).join(', ')}`);
  out.push(
    `${view.nodes.length - outside.length} pods, ${outside.length} classes of outside addresses, ${view.edges.length} allowed edges${view.port === undefined ? '' : ` on ${view.port.protocol}/${view.port.port}`}; ${view.stats.podClasses} equivalence classes of pods.`,
  );
  if (view.outOfScope.length > 0) out.push(`Out of scope (not shown): ${view.outOfScope.map((o) => o.id).join(', ')}.`);
  return `${out.join('\n')}\n`;
}

export function formatMatrixJson(view: MatrixView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

function dotQuote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Graphviz: one cluster per namespace, outside addresses as ellipses, edges labelled with what they allow. */
export function formatMatrixDot(view: MatrixView): string {
  const out = [
    'digraph netpol {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const namespaces = [...new Set(view.nodes.filter((n) => n.type === 'pod').map((n) => n.namespace as string))];
  for (const [i, namespace] of namespaces.entries()) {
    out.push(`  subgraph cluster_${i} {`, `    label=${dotQuote(namespace)};`);
    for (const node of view.nodes)
      if (node.type === 'pod' && node.namespace === namespace)
        out.push(`    ${dotQuote(node.id)} [label=${dotQuote(node.name ?? node.id)}];`);
    out.push('  }');
  }
  for (const node of view.nodes)
    if (node.type === 'external') out.push(`  ${dotQuote(node.id)} [shape=ellipse, label=${dotQuote(nodeLabel(node))}];`);
  for (const edge of view.edges) {
    out.push(
      `  ${dotQuote(edge.from)} -> ${dotQuote(edge.to)}${view.port === undefined ? ` [label=${dotQuote(edgeText(edge.connections))}]` : ''};`,
    );
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

function mermaidText(text: string): string {
  return text.replaceAll('"', "'").replaceAll('|', '/');
}

/** Mermaid flowchart: one subgraph per namespace; renders in GitHub and GitLab Markdown. */
export function formatMatrixMermaid(view: MatrixView): string {
  const ids = new Map<string, string>();
  view.nodes.forEach((node, i) => ids.set(node.id, node.type === 'pod' ? `p${i}` : `x${i}`));
  const out = ['flowchart LR'];
  const namespaces = [...new Set(view.nodes.filter((n) => n.type === 'pod').map((n) => n.namespace as string))];
  for (const [i, namespace] of namespaces.entries()) {
    out.push(`  subgraph ns${i}["${mermaidText(namespace)}"]`);
    for (const node of view.nodes)
      if (node.type === 'pod' && node.namespace === namespace)
        out.push(`    ${ids.get(node.id) ?? ''}["${mermaidText(node.name ?? node.id)}"]`);
    out.push('  end');
  }
  for (const node of view.nodes) if (node.type === 'external') out.push(`  ${ids.get(node.id) ?? ''}(["${mermaidText(nodeLabel(node))}"])`);
  for (const edge of view.edges) {
    const label = view.port === undefined ? `|"${mermaidText(edgeText(edge.connections))}"|` : '';
    out.push(`  ${ids.get(edge.from) ?? ''} -->${label} ${ids.get(edge.to) ?? ''}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatMatrix(view: MatrixView, format: MatrixFormat): string {
  switch (format) {
    case 'table':
      return formatMatrixTable(view);
    case 'json':
      return formatMatrixJson(view);
    case 'dot':
      return formatMatrixDot(view);
    case 'mermaid':
      return formatMatrixMermaid(view);
  }
}
