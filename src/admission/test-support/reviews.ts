import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parsePointer } from '../../core/json-pointer.js';
import { ADMISSION_API_VERSION } from '../review.js';

const PLURALS: Readonly<Record<string, string>> = {
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
  NetworkPolicy: 'networkpolicies',
  Role: 'roles',
  ClusterRole: 'clusterroles',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
};

export interface ReviewOptions {
  readonly operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly namespace?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly subResource?: string;
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
  readonly uid?: string;
}

/** An AdmissionReview v1 for an object, shaped as the API server sends it. */
export function admissionReview(object: Record<string, unknown>, options: ReviewOptions = {}): Record<string, unknown> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const namespace = options.namespace ?? (typeof metadata.namespace === 'string' ? metadata.namespace : 'default');
  const gvk = { group, version, kind };
  const gvr = { group, version, resource: PLURALS[kind] ?? `${kind.toLowerCase()}s` };
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? '0a5e3f4c-9d2b-4e71-8c6a-5f0b1d2e3c4a',
      kind: gvk,
      resource: gvr,
      ...(options.subResource === undefined ? {} : { subResource: options.subResource, requestSubResource: options.subResource }),
      requestKind: gvk,
      requestResource: gvr,
      name: typeof metadata.name === 'string' ? metadata.name : '',
      namespace,
      operation: options.operation ?? 'CREATE',
      userInfo: { username: options.username ?? 'alice', groups: options.groups ?? ['system:authenticated'] },
      object: { ...object, metadata: { ...metadata, namespace } },
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: null,
    },
  };
}

/** A fixture from test/fixtures/admission (real-shaped payloads). */
export function fixtureReview(name: string): Record<string, unknown> {
  const file = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'admission', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Apply a JSON Patch of `add` operations (all the webhook emits), as the API server would. */
export function applyPatch<T>(document: T, patch: readonly { op: string; path: string; value: unknown }[]): T {
  const root = structuredClone(document) as unknown;
  for (const { op, path, value } of patch) {
    if (op !== 'add') throw new Error(`unsupported op ${op}`);
    const tokens = parsePointer(path);
    const last = tokens.pop();
    let parent = root as Record<string, unknown> | unknown[];
    for (const token of tokens) {
      const next: unknown = Array.isArray(parent) ? parent[Number(token)] : parent[token];
      if (next === null || typeof next !== 'object') throw new Error(`path ${path}: ${token} does not exist`);
      parent = next as Record<string, unknown> | unknown[];
    }
    if (last === undefined) throw new Error('cannot replace the root');
    if (Array.isArray(parent)) {
      if (last === '-') parent.push(value);
      else parent.splice(Number(last), 0, value);
    } else parent[last] = value;
  }
  return root as T;
}

/** Decode the patch of an AdmissionResponse. */
export function patchOf(response: { patch?: string }): { op: string; path: string; value: unknown }[] {
  if (response.patch === undefined) return [];
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as { op: string; path: string; value: unknown }[];
}
