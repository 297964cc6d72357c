/** Small builders for NetworkPolicy tests. Test-only. */
import { Inventory } from '../../../inventory/inventory.js';
import type { KubeObject } from '../../../k8s/types.js';
import { buildNetworkModel, type ModelOptions, type NetworkModel } from '../model.js';

type Json = Record<string, unknown>;

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function pod(
  id: string,
  labels: Record<string, string> = {},
  options: {
    ports?: { name?: string; containerPort: number; protocol?: string }[];
    ip?: string | string[];
    spec?: Json;
    status?: Json;
  } = {},
): KubeObject {
  const [ns, name] = id.split('/') as [string, string];
  const ips = options.ip === undefined ? [] : Array.isArray(options.ip) ? options.ip : [options.ip];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports: options.ports ?? [] }], ...options.spec },
    ...(ips.length === 0 && options.status === undefined
      ? {}
      : { status: { ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}), ...options.status } }),
  };
}

export function policy(id: string, spec: Json): KubeObject {
  const [ns, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function modelOf(objects: readonly KubeObject[], options: ModelOptions = {}): NetworkModel {
  const { inventory } = Inventory.from(objects.map((object) => ({ object })));
  return buildNetworkModel(inventory, options);
}
