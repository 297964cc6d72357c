import { secretsMountedBy } from '../audit/context.js';
import { directionConnections, networkModelOf, parseIp, policiesSelecting, type ModelPod } from '../analysis/netpol/index.js';
import { evaluateObject, LATEST, type PssLevel } from '../analysis/pss/index.js';
import { RbacIndex, type SubjectRef } from '../analysis/rbac/rbac-index.js';
import { resourceRequest } from '../analysis/rbac/request.js';
import { activeChecks } from '../checks/catalog.js';
import { EMPTY_CONFIG } from '../checks/config.js';
import { tokenMountOf } from '../checks/rbac/token-mount.js';
import { describeRiskRequest, risksOf, whereBindingHolds } from '../checks/rbac/risks.js';
import { evaluate } from '../checks/run-checks.js';
import type { Finding } from '../core/finding.js';
import { apiGroupOf, resourceKey, type ResourceRef } from '../core/resource-ref.js';
import type { Severity } from '../core/severity.js';
import type { Inventory, InventoryObject, WorkloadTemplate } from '../inventory/inventory.js';
import { arrayOrEmpty, isRecord, stringMap } from '../k8s/guards.js';
import { matchesEqualitySelector } from '../k8s/label-selector.js';
import { containersOf } from '../k8s/pod-templates.js';
import type { PodSpec } from '../k8s/types.js';

/** How the alert's pod was tied to a workload. */
export type WorkloadMatch =
  /** The Pod is in the Inventory; its controller chain (ownerReferences) led to the workload. */
  | 'owner-references'
  /** The Pod is not in the Inventory (manifests only); its name has the form the workload's controller gives pods. */
  | 'pod-name';

/** A service-account permission that makes a stolen token dangerous, and where the binding holds it. */
export interface RiskyGrant {
  /** Risk category id (`secrets-read`, `cluster-admin`, `pods-exec`…), the ids of the rbac checks. */
  readonly risk: string;
  /** `read secrets (list secrets, cluster-wide)`. */
  readonly text: string;
  /** True when the grant holds in every namespace (a ClusterRoleBinding). */
  readonly clusterWide: boolean;
  /** `ClusterRoleBinding "x"`. */
  readonly binding: string;
}

/** What NetworkPolicy and Services say about who can reach the workload. */
export interface WorkloadExposure {
  /** Every pod of the workload is selected by an ingress NetworkPolicy. */
  readonly isolated: boolean;
  /** Addresses outside the cluster may connect (no policy isolates it, or an ipBlock admits them). */
  readonly fromAnywhere: boolean;
  /** LoadBalancer / NodePort / externalIPs Services that select its pods (`Service shop/web (LoadBalancer)`). */
  readonly publishedBy: readonly string[];
  /** True when NetworkPolicy does not govern it (hostNetwork). */
  readonly hostNetwork: boolean;
}

/** Everything Vigil knows about one workload that bears on how bad a runtime alert in it is. */
export interface WorkloadFacts {
  readonly workload: ResourceRef;
  readonly namespace: string;
  /** The strictest Pod Security Standard level it meets (latest version). */
  readonly pssLevel: PssLevel;
  /** Controls it fails at the next level up (`privileged`, `hostNamespaces`, `runAsNonRoot`…). */
  readonly pssViolations: readonly string[];
  /** Containers running privileged. */
  readonly privilegedContainers: readonly string[];
  /** `hostPID`, `hostIPC`, `hostNetwork` when set. */
  readonly hostNamespaces: readonly string[];
  /** Host paths mounted. */
  readonly hostPaths: readonly string[];
  readonly exposure: WorkloadExposure;
  readonly serviceAccount: { readonly namespace: string; readonly name: string; readonly tokenMounted: boolean };
  /** Risky permissions of the service account (only when its token is mounted: otherwise nobody in the pod holds them). */
  readonly riskyGrants: readonly RiskyGrant[];
  /** Subjects that may `create pods/exec` in the namespace (`system:masters` left out: it can do anything). */
  readonly execBy: readonly string[];
  /** Secret names the pod mounts or references (never values). */
  readonly secrets: readonly string[];
  /** Open findings of the check catalog on the workload. */
  readonly findings: readonly { readonly checkId: string; readonly severity: Severity; readonly title: string }[];
}

export interface RuntimeContextOptions {
  /**
   * Findings to attach, by workload: the monitor passes what it already evaluated. By default the
   * whole check catalog runs once per Inventory version (default configuration).
   */
  readonly findings?: (inventory: Inventory) => readonly Finding[];
  /**
   * Least time between rebuilds after the Inventory changed, in ms (default 0: rebuild at once). A live
   * cluster changes all the time (pods come and go); the monitor keeps the facts up to this old instead
   * of recomputing them for every alert.
   */
  readonly refreshMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** A workload found for an alert, and how. */
export interface WorkloadResolution {
  readonly owner: InventoryObject;
  readonly match: WorkloadMatch;
  readonly facts: WorkloadFacts;
}

// Pod names controllers generate (Kubernetes: names are `generateName` + 5 random characters from
// k8s.io/apimachinery/pkg/util/rand; a Deployment's ReplicaSet adds the pod-template-hash, up to 10
// characters; StatefulSet pods take an ordinal; CronJob Jobs take the scheduled time in minutes).
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]{5}';
const POD_NAME_FORMS: Readonly<Record<string, string>> = {
  Deployment: `-[a-z0-9]{1,10}-${SUFFIX}`,
  ReplicaSet: `-${SUFFIX}`,
  DaemonSet: `-${SUFFIX}`,
  Job: `-${SUFFIX}`,
  ReplicationController: `-${SUFFIX}`,
  StatefulSet: '-\\d+',
  CronJob: `-\\d+-${SUFFIX}`,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A representative address outside any cluster (RFC 5737 TEST-NET-3), standing for 0.0.0.0/0. */
const OUTSIDE = parseIp('203.0.113.7');

/** `ServiceAccount shop/web`, `User alice`: how a subject reads in context. */
export function subjectText(subject: SubjectRef): string {
  return subject.namespace === undefined ? `${subject.kind} ${subject.name}` : `${subject.kind} ${subject.namespace}/${subject.name}`;
}

/**
 * The Inventory seen from a runtime alert: finds the workload a pod belongs to and gathers what
 * makes an alert in it urgent or routine. Facts are computed once per workload and Inventory
 * version; the analysis engines cache their own indexes per version too.
 */
export class RuntimeContext {
  private facts = new Map<InventoryObject, WorkloadFacts>();
  private readonly podNamePatterns = new WeakMap<InventoryObject, RegExp | null>();
  private findingsByResource: Map<string, Finding[]> | undefined;
  private builtAt = -1;
  private builtTime = Number.NEGATIVE_INFINITY;

  constructor(
    readonly inventory: Inventory,
    private readonly options: RuntimeContextOptions = {},
  ) {}

  private fresh(): void {
    if (this.builtAt === this.inventory.version) return;
    const now = (this.options.now ?? Date.now)();
    if (now - this.builtTime < (this.options.refreshMs ?? 0)) return;
    this.facts = new Map();
    this.findingsByResource = undefined;
    this.builtAt = this.inventory.version;
    this.builtTime = now;
  }

  /** The workload a pod of a namespace belongs to, or undefined when the Inventory has no candidate. */
  resolve(namespace: string, pod: string): WorkloadResolution | undefined {
    this.fresh();
    const entry = this.inventory.get('', 'Pod', namespace, pod);
    if (entry !== undefined) {
      const owner = this.topController(entry);
      const template = this.templateOf(owner) ?? this.templateOf(entry);
      if (template === undefined) return undefined;
      return { owner: template.owner, match: 'owner-references', facts: this.factsOf(template) };
    }
    let best: WorkloadTemplate | undefined;
    for (const template of this.inventory.podTemplates()) {
      const ref = template.owner.ref;
      if ((ref.namespace ?? this.inventory.defaultNamespace) !== namespace) continue;
      const form = ref.kind === 'Pod' ? undefined : POD_NAME_FORMS[ref.kind];
      const matches =
        ref.kind === 'Pod' ? ref.name === pod : form !== undefined && new RegExp(`^${escapeRegExp(ref.name)}${form}$`).test(pod);
      if (matches && (best === undefined || ref.name.length > best.owner.ref.name.length)) best = template;
    }
    return best === undefined ? undefined : { owner: best.owner, match: 'pod-name', facts: this.factsOf(best) };
  }

  /** The names a controller gives its pods, compiled once per workload object. */
  private podNamePattern(owner: InventoryObject): RegExp | null {
    let pattern = this.podNamePatterns.get(owner);
    if (pattern === undefined) {
      const form = POD_NAME_FORMS[owner.ref.kind];
      pattern = form === undefined ? null : new RegExp(`^${escapeRegExp(owner.ref.name)}${form}$`);
      this.podNamePatterns.set(owner, pattern);
    }
    return pattern;
  }

  /** Follow controller ownerReferences up while the owner is in the Inventory (Pod → ReplicaSet → Deployment). */
  private topController(entry: InventoryObject): InventoryObject {
    let current = entry;
    for (let depth = 0; depth < 8; depth++) {
      const next = arrayOrEmpty(current.object.metadata.ownerReferences)
        .filter(isRecord)
        .find((o) => o.controller === true && typeof o.kind === 'string' && typeof o.name === 'string');
      if (next === undefined) return current;
      const found = this.inventory.get(
        apiGroupOf(typeof next.apiVersion === 'string' ? next.apiVersion : ''),
        next.kind as string,
        current.ref.namespace,
        next.name as string,
      );
      if (found === undefined) return current;
      current = found;
    }
    return current;
  }

  private templateOf(entry: InventoryObject): WorkloadTemplate | undefined {
    return this.inventory.podTemplates().find((t) => t.owner === entry) ?? this.inventory.templateOf(entry);
  }

  /** The facts of one workload (cached for this Inventory version). */
  factsOf(template: WorkloadTemplate): WorkloadFacts {
    this.fresh();
    const cached = this.facts.get(template.owner);
    if (cached !== undefined) return cached;
    const facts = this.compute(template);
    this.facts.set(template.owner, facts);
    return facts;
  }

  private compute({ owner, template }: WorkloadTemplate): WorkloadFacts {
    const inventory = this.inventory;
    const namespace = owner.ref.namespace ?? inventory.defaultNamespace;
    const spec: PodSpec = template.spec;

    // Pod Security Standards, latest version: the strictest level met, and what fails the next one.
    const baseline = evaluateObject(owner.object, { level: 'baseline', version: LATEST });
    const restricted = evaluateObject(owner.object, { level: 'restricted', version: LATEST });
    const pssLevel: PssLevel = restricted?.allowed === true ? 'restricted' : baseline?.allowed === true ? 'baseline' : 'privileged';
    const failing = pssLevel === 'privileged' ? baseline : pssLevel === 'baseline' ? restricted : undefined;
    const pssViolations = [...new Set((failing?.violations ?? []).map((v) => v.control))];

    const containers = containersOf(spec, template.specPointer);
    const privilegedContainers = containers
      .filter((c) => c.container.securityContext?.privileged === true)
      .map((c) => c.container.name ?? '<unnamed>');
    const hostNamespaces = (['hostPID', 'hostIPC', 'hostNetwork'] as const).filter((k) => spec[k] === true);
    const hostPaths = arrayOrEmpty(spec.volumes)
      .filter(isRecord)
      .flatMap((v) => (isRecord(v.hostPath) && typeof v.hostPath.path === 'string' ? [v.hostPath.path] : []));

    // Service account: the token the kubelet mounts, and what it can do.
    const mount = tokenMountOf({
      spec,
      pointer: template.specPointer,
      metadata: template.metadata,
      metadataPointer: template.metadataPointer,
      workload: owner,
      inventory,
    });
    const rbac = RbacIndex.of(inventory);
    const riskyGrants: RiskyGrant[] = mount.mounted
      ? risksOf(rbac, { kind: 'ServiceAccount', namespace: mount.namespace, name: mount.serviceAccount }).map((held) => ({
          risk: held.category.id,
          text: `${held.category.title} (${describeRiskRequest(held.request)}, ${whereBindingHolds(held.binding, held.request.clusterScoped)})`,
          clusterWide: held.binding.kind === 'ClusterRoleBinding',
          binding: `${held.binding.kind} "${held.binding.entry.ref.name}"`,
        }))
      : [];
    const execBy = rbac
      .whoCan(resourceRequest({ verb: 'create', resource: 'pods', subresource: 'exec', namespace }))
      .filter((e) => !(e.subject.kind === 'Group' && e.subject.name === 'system:masters'))
      .map((e) => subjectText(e.subject));

    return {
      workload: owner.ref,
      namespace,
      pssLevel,
      pssViolations,
      privilegedContainers,
      hostNamespaces,
      hostPaths,
      exposure: this.exposureOf(owner, namespace, stringMap(template.metadata.labels), spec.hostNetwork === true),
      serviceAccount: { namespace: mount.namespace, name: mount.serviceAccount, tokenMounted: mount.mounted },
      riskyGrants,
      execBy,
      secrets: [...secretsMountedBy(spec)].sort(),
      findings: this.findingsOf(owner.ref).map((f) => ({ checkId: f.checkId, severity: f.severity, title: f.title })),
    };
  }

  private exposureOf(
    owner: InventoryObject,
    namespace: string,
    labels: Readonly<Record<string, string>>,
    hostNetwork: boolean,
  ): WorkloadExposure {
    const model = networkModelOf(this.inventory);
    const pods: ModelPod[] = model.pods.filter((p) => p.owner === owner && p.outOfScope === undefined);
    const isolated = pods.length > 0 && pods.every((p) => policiesSelecting(model, p, 'ingress').length > 0);
    const fromAnywhere =
      hostNetwork ||
      pods.length === 0 ||
      (OUTSIDE !== undefined &&
        pods.some((p) => !directionConnections(model, 'ingress', { kind: 'pod', pod: p }, { kind: 'external', address: OUTSIDE }).isEmpty));
    const publishedBy: string[] = [];
    for (const service of this.inventory.ofKind('Service', { group: '', namespace })) {
      const spec = isRecord(service.object.spec) ? service.object.spec : {};
      const selector = stringMap(spec.selector);
      if (!matchesEqualitySelector(selector, labels)) continue;
      const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
      const external = arrayOrEmpty(spec.externalIPs).length > 0;
      if (type === 'LoadBalancer' || type === 'NodePort' || external)
        publishedBy.push(`Service ${namespace}/${service.ref.name} (${external && type === 'ClusterIP' ? 'externalIPs' : type})`);
    }
    return { isolated, fromAnywhere, publishedBy, hostNetwork };
  }

  private findingsOf(ref: ResourceRef): Finding[] {
    if (this.findingsByResource === undefined) {
      const all = this.options.findings?.(this.inventory) ?? evaluate(this.inventory, activeChecks(EMPTY_CONFIG)).findings;
      const map = new Map<string, Finding[]>();
      for (const finding of all) {
        if (finding.suppression !== undefined) continue;
        const key = resourceKey(finding.resource);
        const list = map.get(key);
        if (list === undefined) map.set(key, [finding]);
        else list.push(finding);
      }
      this.findingsByResource = map;
    }
    return this.findingsByResource.get(resourceKey(ref)) ?? [];
  }
}
