/** Builders for the NetworkPolicy checks' tests. Test-only. */
import type { KubeObject } from '../../../k8s/types.js';

type Json = Record<string, unknown>;

export function workload(kind: string, id: string, labels: Record<string, string>, spec: Json = {}): KubeObject {
  const [namespace, name] = id.split('/') as [string, string];
  const podSpec = { containers: [{ name, image: `ghcr.io/acme/${name}:1.0.0` }], ...spec };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace, labels }, spec: podSpec };
  return {
    apiVersion: kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}

export function netpol(id: string, spec: Json): KubeObject {
  const [namespace, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}
