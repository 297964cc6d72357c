import { isDeepStrictEqual } from 'node:util';

import { isSignificantPodUpdate } from '../analysis/pss/admission.js';
import { isRecord } from '../k8s/guards.js';
import { isWorkloadKind, podTemplateOf } from '../k8s/pod-templates.js';
import type { KubeObject } from '../k8s/types.js';
import type { AdmissionRequest } from './review.js';

/**
 * Pod subresources that never change what runs: their requests are allowed without a look, as the
 * PodSecurity admission controller does (upstream admission.go `ignoredPodSubresources`). Others
 * (`ephemeralcontainers`, `resize`) carry the whole Pod and are judged.
 */
export const IGNORED_POD_SUBRESOURCES: ReadonlySet<string> = new Set([
  'exec',
  'attach',
  'binding',
  'eviction',
  'log',
  'portforward',
  'proxy',
  'status',
]);

/** What a request gives to judge, or why there is nothing to judge. */
export type RequestSubject =
  | {
      readonly kind: 'judge';
      readonly object: KubeObject;
      readonly oldObject?: KubeObject;
      /** `Deployment shop/web` */
      readonly display: string;
    }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'bad'; readonly message: string };

function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/**
 * The object as checks see it: apiVersion and kind from the request when the object lacks them, and
 * a name even for `generateName` objects (the API server names them after admission).
 */
function normalised(value: Readonly<Record<string, unknown>>, apiVersion: string, kind: string): KubeObject {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const generateName = typeof metadata.generateName === 'string' ? metadata.generateName : '';
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : generateName === '' ? '' : `${generateName}*`;
  return { ...value, apiVersion, kind, metadata: { ...metadata, name } };
}

/** Everything but metadata and status: what an update of an object without a pod template can change that checks judge. */
function judgedPart(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...object };
  delete rest.metadata;
  delete rest.status;
  return rest;
}

/**
 * True when an update changes something the checks judge. Pods: a new container or image, or a new
 * ephemeral container (`isSignificantPodUpdate`, as PodSecurity decides). Workloads: their pod
 * template. Other kinds: anything outside metadata and status. Scaling a workload, relabelling it or
 * removing a finalizer is never refused because of a template that was admitted before.
 */
export function changesWhatIsJudged(object: KubeObject, oldObject: KubeObject): boolean {
  if (object.kind === 'Pod' && object.apiVersion === 'v1') return isSignificantPodUpdate(object, oldObject);
  if (isWorkloadKind(object.apiVersion, object.kind)) {
    const now = podTemplateOf(object);
    const before = podTemplateOf(oldObject);
    if (now === undefined || before === undefined) return now !== before;
    return !isDeepStrictEqual({ metadata: now.metadata, spec: now.spec }, { metadata: before.metadata, spec: before.spec });
  }
  return !isDeepStrictEqual(judgedPart(object), judgedPart(oldObject));
}

/**
 * Decide what a request gives to judge. Only CREATE and UPDATE of kinds some check judges are looked
 * at; subresources of workloads (`scale`, `status`) and the ignored pod subresources are allowed as
 * they are; updates that change nothing judged, and updates of objects being deleted (finalizers
 * coming off), are allowed too.
 */
export function subjectOf(request: AdmissionRequest, judges: (apiVersion: string, kind: string) => boolean): RequestSubject {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') {
    return { kind: 'skip', reason: `${request.operation} requests are not judged` };
  }
  const isPodResource = request.resource.group === '' && request.resource.resource === 'pods';
  if (request.subResource !== '') {
    if (!isPodResource)
      return { kind: 'skip', reason: `the ${request.resource.resource}/${request.subResource} subresource is not judged` };
    if (IGNORED_POD_SUBRESOURCES.has(request.subResource)) {
      return { kind: 'skip', reason: `the pods/${request.subResource} subresource does not change what runs` };
    }
  }
  const apiVersion = apiVersionOf(request.kind.group, request.kind.version);
  const kind = request.kind.kind;
  if (!judges(apiVersion, kind)) return { kind: 'skip', reason: `no check judges ${kind} objects` };
  if (!isRecord(request.object)) return { kind: 'bad', message: `request.object must be the ${kind} for a ${request.operation} request` };
  const objectKind = request.object.kind;
  if (objectKind !== undefined && objectKind !== kind) {
    return {
      kind: 'bad',
      message: `request.object is a ${typeof objectKind === 'string' ? objectKind : typeof objectKind}, but request.kind says ${kind}`,
    };
  }
  if (request.object.metadata !== undefined && !isRecord(request.object.metadata)) {
    return { kind: 'bad', message: 'request.object.metadata must be an object' };
  }
  const object = normalised(request.object, apiVersion, kind);
  const where = request.namespace === '' ? '' : `${request.namespace}/`;
  const display = `${kind} ${where}${object.metadata.name === '' ? '(unnamed)' : object.metadata.name}`;
  if (request.operation === 'CREATE') return { kind: 'judge', object, display };
  if (typeof object.metadata.deletionTimestamp === 'string') return { kind: 'skip', reason: 'the object is being deleted' };
  if (!isRecord(request.oldObject)) return { kind: 'judge', object, display };
  const oldObject = normalised(request.oldObject, apiVersion, kind);
  if (!changesWhatIsJudged(object, oldObject)) return { kind: 'skip', reason: 'the update changes nothing the checks judge' };
  return { kind: 'judge', object, oldObject, display };
}
