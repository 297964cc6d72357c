import type { Inventory, InventoryObject } from '../../inventory/inventory.js';
import type { PodTemplate } from '../../k8s/pod-templates.js';
import { DEFAULT_CONFIGURATION, exemptionOf, podCreatorsOf, type Exemption, type PodSecurityConfiguration } from './admission-config.js';
import { evaluatePrepared, policyText, reasonsText, type EvaluateOptions, type PssPolicy, type PssResult } from './evaluate.js';
import type { PssLevel } from './levels.js';
import { namespacePolicy, PSS_MODES, type NamespacePolicy, type PssMode } from './namespace-policy.js';
import { preparePod, type PreparedPod } from './pod-view.js';
import { compareBytes } from './text.js';

/** One workload (a Pod, or a workload's pod template) as its namespace's policies see it. */
export interface WorkloadJudgement {
  readonly owner: InventoryObject;
  readonly template: PodTemplate;
  readonly namespace: string;
  /** Why the controller would not evaluate its pods, if it would not. */
  readonly exemption?: Exemption;
  /** The verdict at each mode's policy (computed even when exempt, to show what an exemption hides). */
  readonly results: Readonly<Record<PssMode, PssResult>>;
  /** Judge the same pod at any other policy (results are cached). */
  judge(policy: PssPolicy): PssResult;
}

/** One mode of a namespace: its policy and who violates it today. */
export interface ModeReport {
  readonly policy: PssPolicy;
  /** The mode's level or version label is set on the namespace (otherwise the policy comes from defaults). */
  readonly labelled: boolean;
  /** Workloads that are not exempt and are not allowed at this mode's policy. */
  readonly violators: readonly WorkloadJudgement[];
  /**
   * What `kubectl label --dry-run=server --overwrite ns <ns> pod-security.kubernetes.io/enforce=<level>`
   * (with this mode's level and version) would warn, with workloads standing in for their pods.
   */
  readonly dryRunWarnings: readonly string[];
}

/** A namespace's Pod Security posture and its migration plan. */
export interface NamespaceReport {
  readonly name: string;
  /** The Namespace object, when the input defines one. */
  readonly object?: InventoryObject;
  readonly implied: boolean;
  readonly policy: NamespacePolicy;
  /** Listed in the configuration's namespace exemptions: pods here are never evaluated. */
  readonly exempt: boolean;
  readonly workloads: readonly WorkloadJudgement[];
  readonly modes: Readonly<Record<PssMode, ModeReport>>;
  /**
   * The strictest level that could be enforced (at the enforce version) without rejecting any workload
   * that is not exempt (the namespace exemption itself is ignored here: this is the plan for when it goes).
   */
  readonly strictestEnforceable: PssPolicy;
}

export interface NamespaceAnalysisOptions extends EvaluateOptions {
  readonly configuration?: PodSecurityConfiguration;
  /** The user that creates bare Pods, for username exemptions (controllers' users are known). */
  readonly user?: string;
  /** Report these namespaces only (each report is the same as in the report of every namespace). */
  readonly namespaces?: ReadonlySet<string>;
}

/** `web` for a Pod, `deployment/web` for a workload: the name a dry-run warning gives it. */
export function workloadLabel(owner: InventoryObject): string {
  return owner.ref.kind === 'Pod' ? owner.ref.name : `${owner.ref.kind.toLowerCase()}/${owner.ref.name}`;
}

function pluralPods(count: number): string {
  return count === 1 ? '1 other pod' : `${count} other pods`;
}

/**
 * The warnings of a namespace dry run (upstream admission `EvaluatePodsInNamespace`): a headline, then
 * one line per distinct reason string naming the lexically smallest pod and how many others share it.
 * Pods with an exempt runtime class are skipped, as upstream.
 */
export function dryRunWarnings(namespace: string, policy: PssPolicy, workloads: readonly WorkloadJudgement[]): string[] {
  const byReasons = new Map<string, string[]>();
  for (const w of workloads) {
    if (w.exemption === 'runtimeClass') continue;
    const result = w.judge(policy);
    if (result.allowed) continue;
    const reasons = reasonsText(result.violations);
    byReasons.set(reasons, [...(byReasons.get(reasons) ?? []), workloadLabel(w.owner)]);
  }
  if (byReasons.size === 0) return [];
  const lines: string[] = [];
  for (const [reasons, names] of byReasons) {
    const first = [...names].sort(compareBytes)[0] ?? '';
    lines.push(names.length === 1 ? `${first}: ${reasons}` : `${first} (and ${pluralPods(names.length - 1)}): ${reasons}`);
  }
  return [
    `existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${policyText(policy)}"`,
    ...lines.sort(compareBytes),
  ];
}

function judgement(
  owner: InventoryObject,
  template: PodTemplate,
  namespace: string,
  policies: NamespacePolicy,
  options: NamespaceAnalysisOptions,
  configuration: PodSecurityConfiguration,
): WorkloadJudgement {
  const prepared: PreparedPod = preparePod(template, options);
  const cache = new Map<string, PssResult>();
  const judge = (policy: PssPolicy): PssResult => {
    const key = policyText(policy);
    let result = cache.get(key);
    if (result === undefined) {
      result = evaluatePrepared(prepared, policy, options);
      cache.set(key, result);
    }
    return result;
  };
  const runtimeClassName = typeof template.spec.runtimeClassName === 'string' ? template.spec.runtimeClassName : undefined;
  const usernames =
    owner.ref.kind === 'Pod' ? (options.user === undefined ? [] : [options.user]) : podCreatorsOf(owner.ref.apiVersion, owner.ref.kind);
  const exemption = exemptionOf(configuration, { namespace, usernames, ...(runtimeClassName === undefined ? {} : { runtimeClassName }) });
  return {
    owner,
    template,
    namespace,
    ...(exemption === undefined ? {} : { exemption }),
    results: { enforce: judge(policies.enforce), audit: judge(policies.audit), warn: judge(policies.warn) },
    judge,
  };
}

const STRICTEST_FIRST: readonly PssLevel[] = ['restricted', 'baseline'];

/**
 * Every namespace of an Inventory (defined or implied) with its modes, the workloads that violate
 * each mode today, and the strictest level it could enforce now. Namespaces are sorted by name.
 */
export function analyzeNamespaces(inventory: Inventory, options: NamespaceAnalysisOptions = {}): NamespaceReport[] {
  const configuration = options.configuration ?? DEFAULT_CONFIGURATION;
  const only = options.namespaces;
  const templatesByNamespace = new Map<string, { owner: InventoryObject; template: PodTemplate }[]>();
  const templates = only === undefined ? inventory.podTemplates() : [...only].flatMap((ns) => inventory.podTemplatesIn(ns));
  for (const { owner, template } of templates) {
    const ns = owner.ref.namespace ?? inventory.defaultNamespace;
    let list = templatesByNamespace.get(ns);
    if (list === undefined) {
      list = [];
      templatesByNamespace.set(ns, list);
    }
    list.push({ owner, template });
  }
  const namespaces = only === undefined ? inventory.namespaces() : inventory.namespaces().filter((ns) => only.has(ns.name));
  return namespaces.map((ns) => {
    const policy = namespacePolicy(ns.labels, configuration.defaults);
    const workloads = (templatesByNamespace.get(ns.name) ?? []).map(({ owner, template }) =>
      judgement(owner, template, ns.name, policy, options, configuration),
    );
    const modeReport = (mode: PssMode): ModeReport => ({
      policy: policy[mode],
      labelled: policy.labelled[mode],
      violators: workloads.filter((w) => w.exemption === undefined && !w.results[mode].allowed),
      dryRunWarnings: dryRunWarnings(ns.name, policy[mode], workloads),
    });
    const modes = { enforce: modeReport('enforce'), audit: modeReport('audit'), warn: modeReport('warn') };
    const version = policy.enforce.version;
    const candidates = workloads.filter((w) => w.exemption === undefined || w.exemption === 'namespace');
    const level = STRICTEST_FIRST.find((l) => candidates.every((w) => w.judge({ level: l, version }).allowed)) ?? 'privileged';
    return {
      name: ns.name,
      ...(ns.object === undefined ? {} : { object: ns.object }),
      implied: ns.implied,
      policy,
      exempt: configuration.exemptions.namespaces.includes(ns.name),
      workloads,
      modes,
      strictestEnforceable: { level, version },
    };
  });
}

/** The warning the controller gives when an exempt namespace is labelled with a policy it will ignore. */
export function exemptNamespaceWarning(report: NamespaceReport): string | undefined {
  if (!report.exempt) return undefined;
  const modes = PSS_MODES.filter((m) => report.policy[m].level !== 'privileged' && report.policy.labelled[m]).map(
    (m) => `${m}=${policyText(report.policy[m])}`,
  );
  return modes.length === 0
    ? undefined
    : `namespace "${report.name}" is exempt from Pod Security, and the policy (${modes.join(', ')}) will be ignored`;
}
