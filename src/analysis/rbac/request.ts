/**
 * Authorization attributes of one request, as the API server's request-info resolver builds them and as
 * a SubjectAccessReview carries them (authorization.k8s.io/v1 ResourceAttributes / NonResourceAttributes).
 */
export interface ResourceRequest {
  readonly kind: 'resource';
  readonly verb: string;
  /** API group; `''` is the core group. */
  readonly apiGroup: string;
  /** Plural resource name (`pods`). */
  readonly resource: string;
  /** Subresource (`exec`, `log`, `status`), or `''`. */
  readonly subresource: string;
  /** Namespace, or `''` for cluster-scoped resources and requests across all namespaces. */
  readonly namespace: string;
  /** Object name, or `''` (list, watch, create, deletecollection without a name). */
  readonly name: string;
}

/** A request for a path that is not an API resource (`/healthz`, `/metrics`, `/version`). */
export interface NonResourceRequest {
  readonly kind: 'nonResource';
  /** Lower-cased HTTP method (`get`, `post`, …). */
  readonly verb: string;
  readonly path: string;
}

export type AccessRequest = ResourceRequest | NonResourceRequest;

/** A resource request with defaults for the parts not given. */
export function resourceRequest(fields: {
  verb: string;
  resource: string;
  apiGroup?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}): ResourceRequest {
  return {
    kind: 'resource',
    verb: fields.verb,
    apiGroup: fields.apiGroup ?? '',
    resource: fields.resource,
    subresource: fields.subresource ?? '',
    namespace: fields.namespace ?? '',
    name: fields.name ?? '',
  };
}

export function nonResourceRequest(verb: string, path: string): NonResourceRequest {
  return { kind: 'nonResource', verb, path };
}

/** `get pods/log -n shop (name web-0)` or `get /healthz`: how a request reads in messages. */
export function describeRequest(request: AccessRequest): string {
  if (request.kind === 'nonResource') return `${request.verb} ${request.path}`;
  const resource = request.subresource === '' ? request.resource : `${request.resource}/${request.subresource}`;
  const group = request.apiGroup === '' ? '' : `.${request.apiGroup}`;
  const name = request.name === '' ? '' : ` "${request.name}"`;
  const where = request.namespace === '' ? ' (cluster-wide)' : ` in namespace ${request.namespace}`;
  return `${request.verb} ${resource}${group}${name}${where}`;
}
