import type { SeverityReason } from '../core/alert.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { WorkloadFacts } from './context.js';

/** A runtime alert's severity in context, and why. */
export interface SeverityAssessment {
  readonly original: Severity;
  readonly severity: Severity;
  readonly reasons: readonly SeverityReason[];
}

/** `hostPID` → what it means for an attacker in the container. */
const HOST_NAMESPACE_TEXT: Readonly<Record<string, string>> = {
  hostPID: "shares the host's process namespace (hostPID)",
  hostIPC: "shares the host's IPC namespace (hostIPC)",
  hostNetwork: "shares the host's network namespace (hostNetwork)",
};

function step(severity: Severity, by: number): Severity {
  // SEVERITIES runs from critical (0) to info (4): raising moves towards 0.
  const index = Math.min(SEVERITIES.length - 1, Math.max(0, SEVERITIES.indexOf(severity) - by));
  return SEVERITIES[index] as Severity;
}

/** What in the workload lets an attacker who runs code in it leave the container for the node. */
function escapeReasons(facts: WorkloadFacts): string[] {
  const out: string[] = [];
  if (facts.privilegedContainers.length > 0) out.push(`privileged pod (container ${facts.privilegedContainers.join(', ')})`);
  for (const ns of facts.hostNamespaces) out.push(HOST_NAMESPACE_TEXT[ns] ?? ns);
  for (const path of facts.hostPaths) out.push(`mounts host path ${path}`);
  if (out.length === 0 && facts.pssLevel === 'privileged')
    out.push(`violates the baseline Pod Security Standard (${facts.pssViolations.join(', ')})`);
  return out;
}

/** Who outside the cluster can reach the workload. */
function exposureReasons(facts: WorkloadFacts): string[] {
  const out: string[] = [];
  const { exposure } = facts;
  if (exposure.hostNetwork) out.push('listens on the node’s own addresses (hostNetwork): NetworkPolicy does not apply');
  else if (exposure.fromAnywhere)
    out.push(
      exposure.isolated
        ? 'reachable from 0.0.0.0/0: a NetworkPolicy admits addresses outside the cluster'
        : 'reachable from 0.0.0.0/0: no NetworkPolicy isolates it for ingress',
    );
  for (const service of exposure.publishedBy) out.push(`published outside the cluster by ${service}`);
  return out;
}

/** What the pod's service-account token lets an intruder do to the cluster. */
function credentialReasons(facts: WorkloadFacts): string[] {
  const sa = `${facts.serviceAccount.namespace}/${facts.serviceAccount.name}`;
  return facts.riskyGrants.map((g) => `service account ${sa} can ${g.text}`);
}

/** The signs that the workload is contained: all must hold for a lower severity. */
function containment(facts: WorkloadFacts): { contained: boolean; reasons: string[] } {
  const reasons: string[] = [];
  let contained = true;
  if (facts.pssLevel === 'restricted') reasons.push('meets the restricted Pod Security Standard');
  else contained = false;
  if (facts.exposure.isolated && !facts.exposure.fromAnywhere && facts.exposure.publishedBy.length === 0)
    reasons.push('isolated for ingress: not reachable from outside the cluster');
  else contained = false;
  if (!facts.serviceAccount.tokenMounted) reasons.push('no service-account token mounted');
  else if (facts.riskyGrants.length === 0)
    reasons.push(`service account ${facts.serviceAccount.namespace}/${facts.serviceAccount.name} holds no risky permissions`);
  else contained = false;
  if (facts.secrets.length === 0) reasons.push('mounts no secrets');
  else contained = false;
  return { contained, reasons };
}

/**
 * Raise or lower a runtime alert's severity from what Vigil knows about its workload. Three groups
 * of aggravating context each raise it one step (up to critical): a way out of the container
 * (privileged, host namespaces, host paths, or otherwise failing the baseline standard), exposure
 * beyond the cluster (reachable from 0.0.0.0/0, published by a LoadBalancer/NodePort Service), and
 * a service-account token with risky permissions. When none applies and the workload is contained on
 * every count (restricted, isolated, no risky token, no secrets) it is lowered one step (down to
 * info). Every reason is listed, in that order.
 */
export function assessSeverity(original: Severity, facts: WorkloadFacts | undefined, unknownReason?: string): SeverityAssessment {
  if (facts === undefined) {
    return {
      original,
      severity: original,
      reasons: [{ effect: 'keep', reason: unknownReason ?? 'workload unknown: Falco’s priority kept' }],
    };
  }
  const groups = [escapeReasons(facts), exposureReasons(facts), credentialReasons(facts)].filter((g) => g.length > 0);
  if (groups.length > 0) {
    const severity = step(original, groups.length);
    const reasons = groups.flat().map((reason): SeverityReason => ({ effect: severity === original ? 'keep' : 'raise', reason }));
    return { original, severity, reasons };
  }
  const { contained, reasons } = containment(facts);
  if (contained) {
    const severity = step(original, -1);
    return { original, severity, reasons: reasons.map((reason) => ({ effect: severity === original ? 'keep' : 'lower', reason })) };
  }
  return {
    original,
    severity: original,
    reasons: [{ effect: 'keep', reason: 'neither exposed nor privileged, but not contained on every count: Falco’s priority kept' }],
  };
}
