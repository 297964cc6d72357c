import type { KubeObject } from '../src/k8s/types.js';

export function rng(seed: number): () => number;

export interface ClusterOptions {
  namespaces?: number;
  appsPerNamespace?: number;
  replicas?: number;
  policies?: number;
  seed?: number;
}

export function generateCluster(options?: ClusterOptions): {
  objects: KubeObject[];
  policies: KubeObject[];
  apps: { namespace: string; app: string; tier: string }[];
};

export function makePolicy(
  random: () => number,
  ns: string,
  n: number,
  round: number,
  appsPerNamespace: number,
  namespaces: number,
  name?: string,
): KubeObject;
