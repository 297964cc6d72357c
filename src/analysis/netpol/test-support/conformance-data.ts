/**
 * Reads ../shared/conformance/network-policy in place (never copied) and turns each scenario into
 * Kubernetes objects, an Inventory and a network model. Test-only.
 */
import { readFileSync } from 'node:fs';

import { sharedPath } from '../../../../test/support/shared.js';
import { Inventory } from '../../../inventory/inventory.js';
import type { KubeObject } from '../../../k8s/types.js';
import { ConnectionSet, type ConnectionSetJson, type Protocol } from '../connection-set.js';
import { buildNetworkModel, type NetworkModel } from '../model.js';

export const SUITES = ['k8s-e2e', 'netpol-analyzer', 'cyclonus'] as const;
export type Suite = (typeof SUITES)[number];

export interface CasePod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ip?: string;
  readonly ports: { name?: string; port: number; protocol: Protocol }[];
  readonly hostNetwork?: boolean;
  readonly workload?: string;
}

export interface CaseExpectation {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly allowed: boolean;
  readonly portName?: string;
  readonly ingress?: boolean;
  readonly egress?: boolean;
  readonly upstreamCheck?: string;
}

export interface ConformanceCase {
  readonly name: string;
  readonly upstream: Record<string, unknown>;
  readonly namespaces: { name: string; labels: Record<string, string> }[];
  readonly pods: CasePod[];
  readonly policies: KubeObject[];
  readonly connectivity?: { complete: boolean | null; rows: [string, string, ConnectionSetJson][] };
  readonly expect: CaseExpectation[];
  readonly notes?: string[];
}

export function conformancePath(...segments: string[]): string {
  return sharedPath('conformance', 'network-policy', ...segments);
}

export function loadSuite(suite: Suite): ConformanceCase[] {
  const data = JSON.parse(readFileSync(conformancePath(suite, 'cases.json'), 'utf8')) as { format: string; cases: ConformanceCase[] };
  if (data.format !== 'netpol-conformance/v1') throw new Error(`${suite}: unexpected format ${data.format}`);
  return data.cases;
}

/** The scenario as API objects: Namespaces with exactly their labels, Pods, NetworkPolicies. */
export function objectsOfCase(c: ConformanceCase): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const ns of c.namespaces) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } });
  for (const pod of c.pods) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels },
      spec: {
        ...(pod.hostNetwork === true ? { hostNetwork: true } : {}),
        containers: [
          {
            name: 'main',
            image: 'registry.example/app:1',
            ports: pod.ports.map((p) => ({
              ...(p.name === undefined ? {} : { name: p.name }),
              containerPort: p.port,
              protocol: p.protocol,
            })),
          },
        ],
      },
      ...(pod.ip === undefined ? {} : { status: { podIP: pod.ip } }),
    });
  }
  objects.push(...c.policies);
  return objects;
}

/**
 * The model of a scenario. Namespace labels are kept exactly as the data has them (SEMANTICS: the
 * data already carries `kubernetes.io/metadata.name` wherever upstream had it).
 */
export function modelOfCase(
  c: ConformanceCase,
  hostNetwork: 'out-of-scope' | 'ordinary' = 'out-of-scope',
): { inventory: Inventory; model: NetworkModel } {
  const { inventory } = Inventory.from(objectsOfCase(c).map((object) => ({ object })));
  return { inventory, model: buildNetworkModel(inventory, { namespaceNameLabel: false, hostNetwork }) };
}

export function connectionSetOf(json: ConnectionSetJson): ConnectionSet {
  return ConnectionSet.fromJson(json);
}

/** Pods of a scenario that upstream treats as ordinary but that Vigil leaves out of scope. */
export function hostNetworkPods(c: ConformanceCase): Set<string> {
  return new Set(c.pods.filter((p) => p.hostNetwork === true).map((p) => `${p.namespace}/${p.name}`));
}
