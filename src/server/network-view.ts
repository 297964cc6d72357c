import {
  ConnectionSet,
  isProtocol,
  networkModelOf,
  policiesSelecting,
  reach,
  ReachabilityMatrix,
  resolveEndpoint,
  type NetworkModel,
  type Protocol,
} from '../analysis/netpol/index.js';
import type { Inventory } from '../inventory/inventory.js';
import { matrixView } from '../report/netpol/matrix.js';
import { formatReachText, reachJson, type ReachJson } from '../report/netpol/reach.js';
import type { NetworkFlowJson, NetworkGraphJson, NetworkNamespaceJson, NetworkWorkloadJson } from './api-types.js';

/*
 * The Network view: namespaces and workloads with their isolation, the flows NetworkPolicy allows
 * between them (from the exact reachability matrix), and "can A talk to B on this port, and which
 * policy decides?" (the same answer as `vigil netpol reach`).
 */

/** A network model and its matrix, built once per inventory state. */
export interface NetworkAnalysis {
  readonly model: NetworkModel;
  readonly matrix: ReachabilityMatrix;
}

export function analyseNetwork(inventory: Inventory): NetworkAnalysis {
  const model = networkModelOf(inventory);
  return { model, matrix: ReachabilityMatrix.build(model) };
}

/** Flows beyond this many are counted but not sent (a browser cannot draw more usefully). */
export const MAX_FLOWS = 2000;

function portsText(set: ConnectionSet): string {
  return set.toString().replace('all connections', 'all');
}

export function networkGraph(analysis: NetworkAnalysis | undefined, namespace?: string): NetworkGraphJson {
  if (analysis === undefined) {
    return {
      available: false,
      reason: 'No objects are loaded: run the dashboard from `vigil monitor`, or give `vigil dashboard` the manifests or a snapshot.',
      namespaces: [],
      workloads: [],
      flows: [],
      flowsTotal: 0,
    };
  }
  const { model, matrix } = analysis;
  const workloads: NetworkWorkloadJson[] = model.pods
    .filter((p) => namespace === undefined || p.namespace === namespace)
    .map((pod) => ({
      id: pod.id,
      namespace: pod.namespace,
      name: pod.name,
      kind: pod.kind,
      ingressIsolated: policiesSelecting(model, pod, 'ingress').length > 0,
      egressIsolated: policiesSelecting(model, pod, 'egress').length > 0,
      ...(pod.outOfScope === undefined ? {} : { outOfScope: pod.outOfScope }),
    }));
  const namespaces = new Map<string, { workloads: number; ingressIsolated: number; egressIsolated: number }>();
  for (const name of model.namespaces.keys()) {
    if (namespace === undefined || name === namespace) namespaces.set(name, { workloads: 0, ingressIsolated: 0, egressIsolated: 0 });
  }
  for (const w of workloads) {
    const entry = namespaces.get(w.namespace) ?? { workloads: 0, ingressIsolated: 0, egressIsolated: 0 };
    entry.workloads++;
    if (w.ingressIsolated) entry.ingressIsolated++;
    if (w.egressIsolated) entry.egressIsolated++;
    namespaces.set(w.namespace, entry);
  }
  const namespaceJson: NetworkNamespaceJson[] = [...namespaces.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, counts]) => ({ name, ...counts, policies: model.policiesByNamespace.get(name)?.length ?? 0 }));
  const view = matrixView(matrix, { external: false, ...(namespace === undefined ? {} : { namespace }) });
  const flows: NetworkFlowJson[] = view.edges
    .slice(0, MAX_FLOWS)
    .map((e) => ({ from: e.from, to: e.to, ports: portsText(ConnectionSet.fromJson(e.connections)) }));
  return { available: true, namespaces: namespaceJson, workloads, flows, flowsTotal: view.edges.length };
}

export interface ReachQuery {
  readonly from: string;
  readonly to: string;
  /** A number, or a port name of the destination. */
  readonly port: string;
  readonly protocol?: string;
}

/** The answer of `vigil netpol reach` plus its text explanation; errors come back as answers too. */
export function reachAnswer(analysis: NetworkAnalysis, query: ReachQuery): ReachJson & { text: string } {
  const { model } = analysis;
  const protocolText = (query.protocol ?? 'TCP').toUpperCase();
  const protocol: Protocol = isProtocol(protocolText) ? protocolText : 'TCP';
  const numeric = /^\d+$/.test(query.port) ? Number(query.port) : undefined;
  const failed = (error: string, hint?: string): ReachJson & { text: string } => ({
    from: query.from,
    to: query.to,
    protocol,
    port: numeric ?? 0,
    ...(numeric === undefined && query.port !== '' ? { portName: query.port } : {}),
    allowed: null,
    error,
    ...(hint === undefined ? {} : { hint }),
    egress: null,
    ingress: null,
    text: `${error}${hint === undefined ? '' : `\n${hint}`}`,
  });
  if (!isProtocol(protocolText)) return failed(`protocol must be TCP, UDP or SCTP, not "${query.protocol ?? ''}"`);
  if (numeric !== undefined && (numeric < 1 || numeric > 65535)) return failed('the port must be from 1 to 65535');
  if (query.port === '') return failed('give a port', 'A number such as 5432, or a port name of the destination such as http.');
  const from = resolveEndpoint(model, query.from);
  if (!from.ok) return failed(`from: ${from.message}`, from.hint);
  const to = resolveEndpoint(model, query.to);
  if (!to.ok) return failed(`to: ${to.message}`, to.hint);
  let port = numeric;
  if (port === undefined) {
    // A port name is looked up on the destination pod: policies resolve names there too.
    port =
      to.endpoint.kind === 'pod' ? to.endpoint.pod.ports.find((p) => p.name === query.port && p.protocol === protocol)?.port : undefined;
    if (port === undefined) {
      return failed(
        `the destination has no ${protocol} port named "${query.port}"`,
        'Give the port number instead, or the name of one of its container ports.',
      );
    }
  }
  const answer = reach(model, from.endpoint, to.endpoint, protocol, port);
  const json = reachJson(
    model,
    { from: query.from, to: query.to, protocol, port, ...(numeric === undefined ? { portName: query.port } : {}) },
    from.endpoint,
    to.endpoint,
    answer,
  );
  return { ...json, text: formatReachText(json) };
}
