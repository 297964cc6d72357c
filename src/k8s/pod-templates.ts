import { pointerOf } from '../core/json-pointer.js';
import { apiGroupOf } from '../core/resource-ref.js';
import { isRecord } from './guards.js';
import type { Container, KubeObject, ObjectMeta, PodSpec } from './types.js';

/** Where each workload kind keeps its pod template (metadata + spec), as JSON Pointer tokens. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  '/Pod': [],
  '/PodTemplate': ['template'],
  '/ReplicationController': ['spec', 'template'],
  'apps/Deployment': ['spec', 'template'],
  'apps/ReplicaSet': ['spec', 'template'],
  'apps/StatefulSet': ['spec', 'template'],
  'apps/DaemonSet': ['spec', 'template'],
  'extensions/Deployment': ['spec', 'template'],
  'extensions/ReplicaSet': ['spec', 'template'],
  'extensions/DaemonSet': ['spec', 'template'],
  'batch/Job': ['spec', 'template'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
  // Argo Rollouts is common enough that a Rollout should be judged like the Deployment it replaces.
  'argoproj.io/Rollout': ['spec', 'template'],
};

/** Kinds that own a pod template, for documentation and for sources that list a cluster. */
export const WORKLOAD_KINDS: readonly string[] = [...new Set(Object.keys(TEMPLATE_PATHS).map((key) => key.slice(key.indexOf('/') + 1)))];

/** A pod template inside a workload, with the pointers to it inside the original object. */
export interface PodTemplate {
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
  /** Pointer to the template's metadata (`/metadata` for a Pod, `/spec/template/metadata` for a Deployment). */
  readonly metadataPointer: string;
  /** Pointer to the pod spec (`/spec`, `/spec/template/spec`, `/spec/jobTemplate/spec/template/spec`). */
  readonly specPointer: string;
}

/** True when objects of this kind carry a pod template. */
export function isWorkloadKind(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(TEMPLATE_PATHS, `${apiGroupOf(apiVersion)}/${kind}`);
}

/**
 * The pod template of a workload, or undefined for other kinds and for workloads whose template
 * is missing or not an object (the API server would reject those; nothing to judge).
 */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = TEMPLATE_PATHS[`${apiGroupOf(object.apiVersion)}/${object.kind}`];
  if (path === undefined) return undefined;
  let template: unknown = object;
  for (const token of path) {
    if (!isRecord(template)) return undefined;
    template = template[token];
  }
  if (!isRecord(template)) return undefined;
  const spec = template.spec;
  if (!isRecord(spec)) return undefined;
  const metadata = isRecord(template.metadata) ? template.metadata : {};
  return {
    metadata: metadata,
    spec: spec,
    metadataPointer: pointerOf(...path, 'metadata'),
    specPointer: pointerOf(...path, 'spec'),
  };
}

export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';

export const CONTAINER_KINDS: readonly ContainerKind[] = ['containers', 'initContainers', 'ephemeralContainers'];

/** One container of a pod spec with its place in the object. */
export interface ContainerRef {
  readonly container: Container;
  readonly kind: ContainerKind;
  readonly index: number;
  /** Pointer to the container inside the original object. */
  readonly pointer: string;
}

/** Every container of a pod spec — regular, init and ephemeral — skipping entries that are not objects. */
export function containersOf(spec: PodSpec, specPointer: string): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const kind of CONTAINER_KINDS) {
    const list: unknown = spec[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((container: unknown, index) => {
      if (isRecord(container)) {
        out.push({ container: container, kind, index, pointer: `${specPointer}/${kind}/${index}` });
      }
    });
  }
  return out;
}
