import type { KubeObject } from '../k8s/types.js';

/**
 * Small builders of API objects for tests and benchmarks of the live-cluster code (shaped as the
 * API server returns them).
 */
export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export interface PodOptions {
  readonly image?: string;
  readonly limits?: boolean;
  readonly labels?: Record<string, string>;
  readonly owner?: { readonly kind: string; readonly name: string; readonly apiVersion: string };
}

export function podObject(namespace: string, name: string, options: PodOptions = {}): KubeObject {
  const resources = options.limits === false ? {} : { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: options.labels ?? { app: name },
      ...(options.owner === undefined
        ? {}
        : { ownerReferences: [{ ...options.owner, uid: `uid-${options.owner.name}`, controller: true }] }),
    },
    spec: {
      containers: [{ name: 'app', image: options.image ?? 'registry.example.com/app:1.0.0', resources }],
    },
  };
}

export function secretObject(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data }),
      },
    },
    data,
  };
}

export function serviceObject(namespace: string, name: string, type = 'ClusterIP'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type, selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}
