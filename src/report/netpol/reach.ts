import type { DirectionAnswer, Endpoint, NetworkModel, PolicyVerdict, Protocol, ReachAnswer } from '../../analysis/netpol/index.js';
import { formatIp } from '../../analysis/netpol/index.js';
import { fieldPathOf } from '../../core/json-pointer.js';
import { formatSourceLocation } from '../../core/source-location.js';

/** One end of a connection, as JSON. */
export interface EndpointJson {
  readonly type: 'pod' | 'external';
  /** `namespace/name` of the pod (or workload representative). */
  readonly id?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** `Pod`, or the workload kind a representative stands for. */
  readonly kind?: string;
  readonly ips: readonly string[];
  readonly outOfScope?: string;
}

/** A policy's verdict, with where the policy (or its rule) is written when it came from a file. */
export interface PolicyVerdictJson extends PolicyVerdict {
  readonly file?: string;
  readonly line?: number;
}

export interface DirectionJson {
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly reason: DirectionAnswer['reason'];
  readonly policies: readonly PolicyVerdictJson[];
}

/** The JSON answer of `vigil netpol reach` (one per query). */
export interface ReachJson {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** Set when the query named the port (resolved on the destination pod). */
  readonly portName?: string;
  /** null when the question is outside NetworkPolicy (`outOfScope`) or could not be asked (`error`). */
  readonly allowed: boolean | null;
  readonly outOfScope?: string;
  readonly loopback?: true;
  readonly error?: string;
  readonly hint?: string;
  readonly source?: EndpointJson;
  readonly destination?: EndpointJson;
  readonly egress: DirectionJson | null;
  readonly ingress: DirectionJson | null;
}

export function endpointJson(endpoint: Endpoint): EndpointJson {
  if (endpoint.kind === 'external') return { type: 'external', ips: [formatIp(endpoint.address)] };
  const pod = endpoint.pod;
  return {
    type: 'pod',
    id: pod.id,
    namespace: pod.namespace,
    name: pod.name,
    kind: pod.kind,
    ips: pod.ips.map(formatIp),
    ...(pod.outOfScope === undefined ? {} : { outOfScope: pod.outOfScope }),
  };
}

function verdictJson(model: NetworkModel, verdict: PolicyVerdict): PolicyVerdictJson {
  const policy = model.policies.find((p) => p.id === verdict.policy);
  const source = policy?.entry?.source;
  if (source === undefined) return verdict;
  const line = source.positions?.locate(verdict.pointer ?? '')?.line ?? source.line;
  return { ...verdict, file: source.file, ...(line === undefined ? {} : { line }) };
}

function directionJson(model: NetworkModel, answer: DirectionAnswer | undefined): DirectionJson | null {
  if (answer === undefined) return null;
  return {
    allowed: answer.allowed,
    isolated: answer.isolated,
    reason: answer.reason,
    policies: answer.policies.map((v) => verdictJson(model, v)),
  };
}

/** The JSON answer of one query. */
export function reachJson(
  model: NetworkModel,
  query: { from: string; to: string; protocol: Protocol; port: number; portName?: string },
  from: Endpoint,
  to: Endpoint,
  answer: ReachAnswer,
): ReachJson {
  return {
    from: query.from,
    to: query.to,
    protocol: query.protocol,
    port: query.port,
    ...(query.portName === undefined ? {} : { portName: query.portName }),
    allowed: answer.allowed,
    ...(answer.outOfScope === undefined ? {} : { outOfScope: answer.outOfScope }),
    ...(answer.loopback === true ? { loopback: true as const } : {}),
    source: endpointJson(from),
    destination: endpointJson(to),
    egress: directionJson(model, answer.egress),
    ingress: directionJson(model, answer.ingress),
  };
}

const VERDICT_TEXT: Readonly<Record<PolicyVerdict['verdict'], string>> = {
  'allowed-by-rule': 'allows it',
  'selected-no-rules': 'selects the pod and has no rules for this direction (denies all)',
  'selected-peer-not-matched': 'no rule matches the other end',
  'selected-ports-not-matched': 'a rule matches the other end, but not this port',
  'selected-named-port-unmatched': 'a rule matches the other end, but its named port does not exist on the destination under this protocol',
};

function where(verdict: PolicyVerdictJson): string {
  const rule = verdict.pointer === undefined ? '' : ` ${fieldPathOf(verdict.pointer)}`;
  const at =
    verdict.file === undefined
      ? ''
      : ` (${formatSourceLocation({ file: verdict.file, ...(verdict.line === undefined ? {} : { line: verdict.line }) })})`;
  return `${verdict.policy}${rule}${at}`;
}

function directionText(label: string, subject: string, direction: DirectionJson | null): string[] {
  if (direction === null) return [];
  const head = `  ${label} (${subject}): `;
  switch (direction.reason) {
    case 'external':
      return [`${head}allowed: outside the cluster, no NetworkPolicy applies`];
    case 'not-isolated':
      return [`${head}allowed: no NetworkPolicy selects it for ${label}`];
    case 'loopback':
      return [`${head}allowed: a pod can always reach itself`];
    case 'allowed-by-rule':
    case 'no-rule-allows': {
      const lines = [
        `${head}${direction.allowed ? 'allowed' : 'DENIED'}: ${direction.policies.length} polic${direction.policies.length === 1 ? 'y selects' : 'ies select'} it for ${label}`,
      ];
      for (const verdict of direction.policies) lines.push(`    ${where(verdict)}: ${VERDICT_TEXT[verdict.verdict]}`);
      return lines;
    }
  }
}

/** The human answer of one query. */
export function formatReachText(answer: ReachJson): string {
  const port = `${answer.protocol}/${answer.port}${answer.portName === undefined ? '' : ` (${answer.portName})`}`;
  const title = `${answer.from} → ${answer.to} ${port}`;
  if (answer.error !== undefined)
    return `${title}: cannot answer: ${answer.error}${answer.hint === undefined ? '' : `\n  hint: ${answer.hint}`}\n`;
  if (answer.allowed === null) return `${title}: OUT OF SCOPE\n  ${answer.outOfScope ?? ''}\n`;
  const verdict = answer.allowed ? 'ALLOWED' : 'DENIED';
  const lines = [`${title}: ${verdict}${answer.loopback === true ? ' (loopback)' : ''}`];
  const name = (e: EndpointJson | undefined, fallback: string): string => e?.id ?? e?.ips[0] ?? fallback;
  lines.push(...directionText('egress', name(answer.source, answer.from), answer.egress));
  lines.push(...directionText('ingress', name(answer.destination, answer.to), answer.ingress));
  return `${lines.join('\n')}\n`;
}
