import { createHash } from 'node:crypto';

import type { Alert, AlertContextValue } from '../core/alert.js';
import { formatResourceRef, type ResourceRef } from '../core/resource-ref.js';
import type { Severity } from '../core/severity.js';
import type { RuntimeContext, WorkloadFacts, WorkloadResolution } from './context.js';
import { fieldText, mitreOf, severityOfPriority, type FalcoAlert } from './falco-alert.js';
import { redactCommandLine } from './redact.js';
import { assessSeverity, type SeverityAssessment } from './severity.js';

/** The Kubernetes and container fields of a Falco alert (Falco's `k8s.*` and `container.*` field classes). */
export interface RuntimeTarget {
  readonly namespace?: string;
  readonly pod?: string;
  readonly containerId?: string;
  readonly containerName?: string;
  readonly image?: string;
}

/** Where the alert happened, from its output fields. */
export function targetOf(alert: FalcoAlert): RuntimeTarget {
  const namespace = fieldText(alert, 'k8s.ns.name');
  const pod = fieldText(alert, 'k8s.pod.name');
  const containerId = fieldText(alert, 'container.id');
  const containerName = fieldText(alert, 'container.name');
  const image = fieldText(alert, 'container.image.repository');
  const tag = fieldText(alert, 'container.image.tag');
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(pod === undefined ? {} : { pod }),
    // Falco reports `host` as the container id of processes outside any container.
    ...(containerId === undefined || containerId === 'host' ? {} : { containerId }),
    ...(containerName === undefined || containerName === 'host' ? {} : { containerName }),
    ...(image === undefined ? {} : { image: tag === undefined ? image : `${image}:${tag}` }),
  };
}

/** Stable id: falcosidekick's uuid when present, else the alert's own identity (time, rule, host, fields). */
export function runtimeAlertId(alert: FalcoAlert): string {
  const hash = createHash('sha256').update('falco\u0000');
  if (alert.uuid !== undefined) hash.update(alert.uuid);
  else {
    const fields = Object.keys(alert.outputFields)
      .sort()
      .map((k) => `${k}=${JSON.stringify(alert.outputFields[k])}`)
      .join('\u0001');
    hash.update([alert.time, alert.rule, alert.hostname ?? '', fields].join('\u0000'));
  }
  return `runtime:${hash.digest('hex').slice(0, 32)}`;
}

// The context of a workload is the same for every alert in it (until the Inventory changes and the
// facts are recomputed): build it once per facts object and share it, since alerts are never mutated.
const factsContextCache = new WeakMap<WorkloadFacts, Map<string, Readonly<Record<string, AlertContextValue>>>>();

function factsContext(resolution: WorkloadResolution): Readonly<Record<string, AlertContextValue>> {
  let byMatch = factsContextCache.get(resolution.facts);
  if (byMatch === undefined) {
    byMatch = new Map();
    factsContextCache.set(resolution.facts, byMatch);
  }
  let cached = byMatch.get(resolution.match);
  if (cached === undefined) {
    cached = buildFactsContext(resolution);
    byMatch.set(resolution.match, cached);
  }
  return cached;
}

function buildFactsContext(resolution: WorkloadResolution): Record<string, AlertContextValue> {
  const f: WorkloadFacts = resolution.facts;
  return {
    kind: f.workload.kind,
    namespace: f.namespace,
    name: f.workload.name,
    apiVersion: f.workload.apiVersion,
    match: resolution.match,
    pss: { level: f.pssLevel, violations: [...f.pssViolations] },
    privilegedContainers: [...f.privilegedContainers],
    hostNamespaces: [...f.hostNamespaces],
    hostPaths: [...f.hostPaths],
    exposure: {
      isolated: f.exposure.isolated,
      fromAnywhere: f.exposure.fromAnywhere,
      publishedBy: [...f.exposure.publishedBy],
      hostNetwork: f.exposure.hostNetwork,
    },
    serviceAccount: { ...f.serviceAccount },
    riskyGrants: f.riskyGrants.map((g) => ({ ...g })),
    execBy: [...f.execBy],
    secrets: [...f.secrets],
    findings: f.findings.map((x) => ({ ...x })),
  };
}

/** Output fields as stored: strings redacted, `null` (unresolved) kept. */
function redactedFields(alert: FalcoAlert): Record<string, AlertContextValue> {
  const out: Record<string, AlertContextValue> = {};
  for (const [k, v] of Object.entries(alert.outputFields)) out[k] = typeof v === 'string' ? redactCommandLine(v) : v;
  return out;
}

// An assessment depends only on the workload's facts and Falco's priority: share it across alerts.
const assessments = new WeakMap<WorkloadFacts, Map<Severity, SeverityAssessment>>();

function assessmentOf(facts: WorkloadFacts, original: Severity): SeverityAssessment {
  let byOriginal = assessments.get(facts);
  if (byOriginal === undefined) {
    byOriginal = new Map();
    assessments.set(facts, byOriginal);
  }
  let assessment = byOriginal.get(original);
  if (assessment === undefined) {
    assessment = assessSeverity(original, facts);
    byOriginal.set(original, assessment);
  }
  return assessment;
}

export interface CorrelateOptions {
  /** Cluster name to put on alerts. */
  readonly cluster?: string;
}

/**
 * A Falco alert placed in context: the workload its pod belongs to, that workload's posture
 * (Pod Security level, exposure, service-account permissions, who may exec into it, mounted secrets,
 * open findings) and Vigil's severity with the reasons. Without a context (no Inventory) the alert
 * keeps Falco's priority and says so. Command lines and output are redacted of credential-looking values.
 */
export function correlate(alert: FalcoAlert, context: RuntimeContext | undefined, options: CorrelateOptions = {}): Alert {
  const target = targetOf(alert);
  let resolution: WorkloadResolution | undefined;
  let unknown: string;
  if (target.namespace === undefined || target.pod === undefined) {
    unknown =
      'no k8s.ns.name / k8s.pod.name in the alert (a process on the host, or Falco without Kubernetes metadata): Falco’s priority kept';
  } else if (context === undefined) {
    unknown = 'no inventory to place the pod in: Falco’s priority kept';
  } else {
    resolution = context.resolve(target.namespace, target.pod);
    unknown = `pod ${target.namespace}/${target.pod} matches no workload in the inventory: Falco’s priority kept`;
  }
  const original = severityOfPriority(alert.priority);
  const assessment = resolution === undefined ? assessSeverity(original, undefined, unknown) : assessmentOf(resolution.facts, original);
  const resource: ResourceRef | undefined =
    resolution !== undefined
      ? resolution.owner.ref
      : target.namespace !== undefined && target.pod !== undefined
        ? { apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.pod }
        : undefined;
  const cmdline = fieldText(alert, 'proc.cmdline');
  const user = fieldText(alert, 'user.name');
  const output = redactCommandLine(alert.output === '' ? `${alert.priority} ${alert.rule}` : alert.output);
  const mitre = mitreOf(alert.tags);
  const fields: Record<string, string | number | boolean> = {
    'falco.priority': alert.priority,
    'falco.source': alert.source,
    'falco.time': alert.time,
    ...(alert.hostname === undefined ? {} : { hostname: alert.hostname }),
    ...(alert.tags.length === 0 ? {} : { tags: alert.tags.join(',') }),
    ...(target.namespace === undefined ? {} : { 'k8s.ns.name': target.namespace }),
    ...(target.pod === undefined ? {} : { 'k8s.pod.name': target.pod }),
    ...(target.containerName === undefined ? {} : { 'container.name': target.containerName }),
    ...(target.containerId === undefined ? {} : { 'container.id': target.containerId }),
    ...(target.image === undefined ? {} : { 'container.image': target.image }),
    ...(cmdline === undefined ? {} : { 'proc.cmdline': redactCommandLine(cmdline) }),
    ...(user === undefined ? {} : { 'user.name': user }),
    ...(resolution === undefined
      ? {}
      : {
          workload: formatResourceRef(resolution.owner.ref),
          'pss.level': resolution.facts.pssLevel,
          'exposure.fromAnywhere': resolution.facts.exposure.fromAnywhere,
          serviceAccount: `${resolution.facts.serviceAccount.namespace}/${resolution.facts.serviceAccount.name}`,
        }),
    reasons: assessment.reasons.map((r) => r.reason).join('; '),
  };
  return {
    id: runtimeAlertId(alert),
    rule: alert.rule,
    source: 'runtime',
    severity: assessment.severity,
    originalSeverity: assessment.original,
    reasons: assessment.reasons,
    title: resolution === undefined ? alert.rule : `${alert.rule} in ${formatResourceRef(resolution.owner.ref)}`,
    output,
    time: new Date(alert.timeMs).toISOString(),
    ...(mitre.length > 0 ? { mitre } : {}),
    ...(resource === undefined ? {} : { resource }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    fields,
    context: {
      falco: {
        rule: alert.rule,
        priority: alert.priority,
        source: alert.source,
        time: alert.time,
        hostname: alert.hostname ?? null,
        tags: [...alert.tags],
        uuid: alert.uuid ?? null,
        outputFields: redactedFields(alert),
      },
      target: {
        namespace: target.namespace ?? null,
        pod: target.pod ?? null,
        containerId: target.containerId ?? null,
        containerName: target.containerName ?? null,
        image: target.image ?? null,
      },
      workload: resolution === undefined ? null : factsContext(resolution),
    },
  };
}
