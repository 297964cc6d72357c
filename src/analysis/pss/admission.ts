import { isRecord } from '../../k8s/guards.js';
import { podTemplateOf } from '../../k8s/pod-templates.js';
import type { KubeObject } from '../../k8s/types.js';
import { DEFAULT_CONFIGURATION, type Exemption, type PodSecurityConfiguration } from './admission-config.js';
import {
  evaluatePrepared,
  forbiddenMessage,
  policyText,
  warningMessage,
  type EvaluateOptions,
  type PssPolicy,
  type PssResult,
} from './evaluate.js';
import { formatLabelError, namespacePolicy } from './namespace-policy.js';
import { preparePod } from './pod-view.js';

/** An admission request for a Pod or a workload, as the PodSecurity controller sees it. */
export interface PssAdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE';
  /** The Pod, or a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate. */
  readonly object: KubeObject;
  /** The previous object on UPDATE (pods: only significant changes are evaluated). */
  readonly oldObject?: KubeObject;
  readonly subresource?: string;
  readonly namespace: string;
  /** The namespace's labels; undefined when the namespace could not be fetched. */
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
  /** The authenticated user making the request. */
  readonly username?: string;
}

/** The controller's answer. Audit annotation keys are unprefixed (the plugin adds `pod-security.kubernetes.io/`). */
export interface PssAdmissionDecision {
  readonly allowed: boolean;
  /** Set when denied: HTTP code, reason and message as the API server returns them. */
  readonly status?: { readonly code: number; readonly reason: 'Forbidden' | 'InternalError'; readonly message: string };
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
  readonly exempt?: Exemption;
}

// Pod subresources that never change what runs (upstream admission.go ignoredPodSubresources).
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** Go's `utilerrors.NewAggregate(errs).Error()`: one error as is, several in brackets. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}

function containersOf(spec: unknown, list: string): { name: unknown; image: unknown }[] {
  const items = isRecord(spec) ? spec[list] : undefined;
  return Array.isArray(items)
    ? items.map((c: unknown) => (isRecord(c) ? { name: c.name, image: c.image } : { name: undefined, image: undefined }))
    : [];
}

/**
 * An update changes what runs when the number of containers or init containers changes, an image
 * changes (by index), or an ephemeral container is added or gets a new image (by name); anything else
 * (labels, annotations, resources in place) is not evaluated, as upstream.
 */
export function isSignificantPodUpdate(object: KubeObject, oldObject: KubeObject): boolean {
  for (const list of ['containers', 'initContainers']) {
    const now = containersOf(object.spec, list);
    const before = containersOf(oldObject.spec, list);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => c.image !== before[i]?.image)) return true;
  }
  const before = new Map(containersOf(oldObject.spec, 'ephemeralContainers').map((c) => [c.name, c.image]));
  return containersOf(object.spec, 'ephemeralContainers').some((c) => !before.has(c.name) || before.get(c.name) !== c.image);
}

/**
 * Decide an admission request exactly as the PodSecurity controller does: Pods are enforced, audited
 * and warned about; workload templates are only audited and warned about (never rejected). Namespace
 * requests (label validation and the dry run) are not handled here; see `namespacePolicy` and
 * `dryRunWarnings`.
 */
export function admitPodSecurity(
  request: PssAdmissionRequest,
  configuration: PodSecurityConfiguration = DEFAULT_CONFIGURATION,
  options: EvaluateOptions = {},
): PssAdmissionDecision {
  const isPod = request.object.kind === 'Pod' && request.object.apiVersion === 'v1';
  const allow = (annotations: Record<string, string> = {}, warnings: string[] = [], exempt?: Exemption): PssAdmissionDecision => ({
    allowed: true,
    warnings,
    auditAnnotations: exempt === undefined ? annotations : { ...annotations, exempt },
    ...(exempt === undefined ? {} : { exempt }),
  });
  if (request.subresource !== undefined && request.subresource !== '') {
    // Workload subresources (scale, status) never change the template; pod ones may (ephemeralcontainers, resize).
    if (!isPod || IGNORED_POD_SUBRESOURCES.has(request.subresource)) return allow();
  }
  if (configuration.exemptions.namespaces.includes(request.namespace)) return allow({}, [], 'namespace');
  if (request.username !== undefined && configuration.exemptions.usernames.includes(request.username)) return allow({}, [], 'user');
  if (request.namespaceLabels === undefined) {
    if (!isPod) return allow({ error: `failed to fetch namespace "${request.namespace}"` });
    return {
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: `failed to fetch namespace "${request.namespace}"` },
      warnings: [],
      auditAnnotations: {},
    };
  }
  const policy = namespacePolicy(request.namespaceLabels, configuration.defaults);
  const annotations: Record<string, string> = {};
  if (policy.errors.length > 0) annotations['error'] = `Failed to parse policy: ${aggregate(policy.errors.map(formatLabelError))}`;
  else if (isPod && policy.fullyPrivileged) return allow({ 'enforce-policy': 'privileged:latest' });
  else if (!isPod && policy.audit.level === 'privileged' && policy.warn.level === 'privileged') return allow();

  if (
    isPod &&
    request.operation === 'UPDATE' &&
    request.oldObject !== undefined &&
    !isSignificantPodUpdate(request.object, request.oldObject)
  ) {
    return allow();
  }
  const template = podTemplateOf(request.object);
  if (template === undefined) return isPod ? allow(annotations) : allow({ ...annotations, error: 'could not extract the pod template' });
  const runtimeClassName = typeof template.spec.runtimeClassName === 'string' ? template.spec.runtimeClassName : undefined;
  if (runtimeClassName !== undefined && configuration.exemptions.runtimeClasses.includes(runtimeClassName)) {
    return allow(annotations, [], 'runtimeClass');
  }
  const pod = preparePod(template, options);
  const results = new Map<string, PssResult>();
  const judge = (p: PssPolicy): PssResult => {
    const key = policyText(p);
    const cached = results.get(key) ?? evaluatePrepared(pod, p, options);
    results.set(key, cached);
    return cached;
  };
  if (isPod) {
    annotations['enforce-policy'] = policyText(policy.enforce);
    const enforce = judge(policy.enforce);
    const audit = judge(policy.audit);
    if (!audit.allowed) annotations['audit-violations'] = warningMessage(audit);
    if (!enforce.allowed) {
      const name = typeof request.object.metadata.name === 'string' ? request.object.metadata.name : '';
      return {
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: forbiddenMessage(name, enforce) },
        warnings: [],
        auditAnnotations: annotations,
      };
    }
    const warn = judge(policy.warn);
    return allow(annotations, warn.allowed ? [] : [warningMessage(warn)]);
  }
  const audit = judge(policy.audit);
  if (!audit.allowed) annotations['audit-violations'] = warningMessage(audit);
  const warn = judge(policy.warn);
  return allow(annotations, warn.allowed ? [] : [warningMessage(warn)]);
}
