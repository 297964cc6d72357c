import { formatRange, type ConnectionSetJson, type Exposure, type NetworkModel, type RuleMatch } from '../../analysis/netpol/index.js';
import { fieldPathOf } from '../../core/json-pointer.js';
import { formatSourceLocation } from '../../core/source-location.js';
import { endpointJson, type EndpointJson } from './reach.js';

export interface RuleJson {
  readonly policy: string;
  readonly rule: number;
  readonly pointer: string;
  readonly connections: ConnectionSetJson;
  readonly file?: string;
  readonly line?: number;
}

export interface ExposureSourceJson {
  /** `namespace/name` of a pod, or the address ranges joined by commas. */
  readonly from: string;
  readonly type: 'pod' | 'external';
  readonly kind?: string;
  readonly ranges?: readonly string[];
  readonly connections: ConnectionSetJson;
  /** The target's side: whether it is isolated, and the rules that let this source in. */
  readonly ingress: { readonly isolated: boolean; readonly rules: readonly RuleJson[] };
  /** The source's side: whether it is isolated for egress, and the rules that let it out. */
  readonly egress: { readonly isolated: boolean; readonly rules: readonly RuleJson[] };
}

/** The JSON of `vigil netpol exposure`. */
export interface ExposureJson {
  readonly target: EndpointJson;
  readonly isolated: boolean;
  readonly policies: readonly string[];
  readonly sources: readonly ExposureSourceJson[];
  readonly unreachablePods: number;
}

function ruleJson(model: NetworkModel, match: RuleMatch): RuleJson {
  const source = model.policies.find((p) => p.id === match.policy)?.entry?.source;
  const line = source?.positions?.locate(match.pointer)?.line ?? source?.line;
  return {
    policy: match.policy,
    rule: match.rule,
    pointer: match.pointer,
    connections: match.connections.toJSON(),
    ...(source === undefined ? {} : { file: source.file }),
    ...(line === undefined ? {} : { line }),
  };
}

export function exposureJson(model: NetworkModel, exposure: Exposure): ExposureJson {
  return {
    target: endpointJson({ kind: 'pod', pod: exposure.target }),
    isolated: exposure.ingressPolicies.length > 0,
    policies: exposure.ingressPolicies,
    sources: exposure.entries.map((entry) => {
      const ranges = entry.source.kind === 'external' ? entry.source.ranges.map(formatRange) : undefined;
      return {
        from: entry.source.kind === 'pod' ? entry.source.pod.id : (ranges ?? []).join(','),
        type: entry.source.kind,
        ...(entry.source.kind === 'pod' ? { kind: entry.source.pod.kind } : { ranges: ranges ?? [] }),
        connections: entry.connections.toJSON(),
        ingress: { isolated: entry.ingress.isolated, rules: entry.ingress.rules.map((r) => ruleJson(model, r)) },
        egress: { isolated: entry.egress.isolated, rules: entry.egress.rules.map((r) => ruleJson(model, r)) },
      };
    }),
    unreachablePods: exposure.unreachablePods,
  };
}

function rulesText(side: { isolated: boolean; rules: readonly RuleJson[] }, open: string): string {
  if (!side.isolated) return open;
  return side.rules
    .map(
      (r) =>
        `${r.policy} ${fieldPathOf(r.pointer)}${r.file === undefined ? '' : ` (${formatSourceLocation({ file: r.file, ...(r.line === undefined ? {} : { line: r.line }) })})`}`,
    )
    .join(', ');
}

export function formatExposureText(json: ExposureJson): string {
  const target = json.target.id ?? '';
  const pods = json.sources.filter((s) => s.type === 'pod');
  const external = json.sources.filter((s) => s.type === 'external');
  const lines = [
    `${target}${json.target.kind === undefined || json.target.kind === 'Pod' ? '' : ` (${json.target.kind})`} can be reached by ${pods.length} of ${pods.length + json.unreachablePods} other pods and from ${external.length} range(s) of outside addresses.`,
    json.isolated
      ? `Isolated for ingress by: ${json.policies.join(', ')}.`
      : 'Not isolated for ingress: no NetworkPolicy selects it, so everything that can route to it may connect.',
  ];
  if (json.sources.length > 0) lines.push('');
  const width = Math.max(...json.sources.map((s) => s.from.length), 4);
  const connectionsWidth = Math.max(...json.sources.map((s) => connectionsText(s.connections).length), 4);
  for (const source of json.sources) {
    const why = [`in: ${rulesText(source.ingress, 'not isolated')}`];
    if (source.type === 'pod') why.push(`out: ${rulesText(source.egress, 'not isolated')}`);
    lines.push(`  ${source.from.padEnd(width)}  ${connectionsText(source.connections).padEnd(connectionsWidth)}  ${why.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function connectionsText(json: ConnectionSetJson): string {
  if (json === 'all') return 'all';
  if (json === 'none') return 'none';
  return Object.entries(json)
    .map(([protocol, ports]) => `${protocol} ${ports.map((p) => (typeof p === 'number' ? String(p) : `${p[0]}-${p[1]}`)).join(',')}`)
    .join('; ');
}
