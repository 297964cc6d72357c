import type { z } from 'zod';

import type { Area } from '../core/area.js';
import type { FrameworkRefs } from '../core/frameworks.js';
import type { ResourceRef } from '../core/resource-ref.js';
import type { Severity } from '../core/severity.js';
import type { InventoryObject, Inventory } from '../inventory/inventory.js';
import type { ContainerKind } from '../k8s/pod-templates.js';
import type { Container, KubeObject, ObjectMeta, PodSpec } from '../k8s/types.js';

/**
 * What a check is run on. Object-scoped targets (`PodSpec`, `Container`, `Object`) see one object and
 * can also run in admission; `Cluster` checks see the whole Inventory.
 */
export type CheckTarget = 'PodSpec' | 'Container' | 'Object' | 'Cluster';

/** Facts about a check, as data: shown by `vigil checks`, `vigil explain`, SARIF rules and docs. */
export interface CheckMeta {
  readonly title: string;
  readonly area: Area;
  /** Severity unless configuration overrides it (severity is configuration, not check logic). */
  readonly defaultSeverity: Severity;
  readonly frameworks?: FrameworkRefs;
  /** One or two sentences: what is wrong and why it matters. */
  readonly description: string;
  /** One or two sentences: how to fix it. */
  readonly remediation: string;
}

/** A pod spec inside a workload (a Pod, or the template of a Deployment, CronJob, …). */
export interface PodSpecSubject {
  readonly spec: PodSpec;
  /** Pointer to the spec inside the workload object. */
  readonly pointer: string;
  readonly metadata: ObjectMeta;
  readonly metadataPointer: string;
  readonly workload: InventoryObject;
  readonly inventory: Inventory;
}

/** One container (regular, init or ephemeral) of a pod spec. */
export interface ContainerSubject {
  readonly container: Container;
  /** Pointer to the container inside the workload object. */
  readonly pointer: string;
  readonly kind: ContainerKind;
  readonly pod: PodSpecSubject;
}

/** One object of the kinds the check names. */
export interface ObjectSubject {
  readonly object: KubeObject;
  readonly entry: InventoryObject;
  readonly inventory: Inventory;
}

/** The whole Inventory. */
export interface ClusterSubject {
  readonly inventory: Inventory;
  /**
   * Set only for checks that declare `localReads`, when the monitor re-runs them for some namespaces:
   * findings about anything outside these namespaces are not wanted (and are dropped), so the check
   * may skip the work for them. Absent: every namespace.
   */
  readonly namespaces?: ReadonlySet<string>;
}

export type SubjectOf<T extends CheckTarget> = T extends 'PodSpec'
  ? PodSpecSubject
  : T extends 'Container'
    ? ContainerSubject
    : T extends 'Object'
      ? ObjectSubject
      : ClusterSubject;

/** What a check passes to `ctx.report`. */
export interface ReportDescriptor<MessageId extends string> {
  readonly messageId: MessageId;
  /** JSON Pointer of the field at fault, inside the object reported on. Defaults to the subject's own pointer. */
  readonly pointer?: string;
  /** Values for `{{placeholders}}` in the message. */
  readonly data?: Readonly<Record<string, string | number>>;
  /** Overrides the configured severity for this one finding (a LoadBalancer is worse than a NodePort). */
  readonly severity?: Severity;
  /**
   * The framework controls this one finding violates, when a check covers several controls and the
   * finding is about only some of them (a missing `--audit-log-path` fails CIS 1.2.16, not 1.2.17).
   * Defaults to the check's `meta.frameworks`.
   */
  readonly frameworks?: FrameworkRefs;
  /**
   * The object the finding is about. Required for `Cluster` checks; others default to their subject's
   * object. A bare ResourceRef is for objects that exist only by implication (an implied namespace).
   */
  readonly resource?: InventoryObject | ResourceRef;
  /**
   * Tells this finding apart from others the check reports at the same field of the same object (the
   * flag a missing-flag finding is about). Part of the fingerprint. When a check reports several
   * findings at one field without keys, each gets its message id and data as key instead.
   */
  readonly key?: string;
}

export interface CheckContext<MessageId extends string, Options> {
  report(descriptor: ReportDescriptor<MessageId>): void;
  /**
   * Say that the subject is outside what the check judges (a Pod that is not a kube-apiserver, a
   * workload that requires no security tier). Unless the check also reports, the subject's outcome is
   * `skipped` instead of `pass`, so compliance reports can tell "passed" from "not applicable".
   */
  notApplicable(): void;
  /** Options from configuration, validated by the check's schema, defaults applied. */
  readonly options: Options;
}

export interface CheckDefinition<Id extends string, MessageId extends string, Target extends CheckTarget, Options> {
  /** `<area>/<name>`, the same string as the folder and the registry key. */
  readonly id: Id;
  readonly target: Target;
  /**
   * For `Object` checks: the kinds to run on. A bare `Kind` is the core API group (`Service`,
   * `Secret`); other groups are written `group/Kind` (`networking.k8s.io/NetworkPolicy`,
   * `apps/Deployment`), and the group `*` matches every group.
   */
  readonly kinds?: Target extends 'Object' ? readonly string[] : never;
  /**
   * Kinds of other objects whose changes can change this check's result (same syntax as `kinds`;
   * `'*'` is any kind). The monitor uses it to re-run only the checks a change can affect: a Cluster
   * check without `reads` is re-run on every change; an object-scoped check is always re-run on its
   * own subject, and on every subject when an object of a kind it `reads` changes (say so when it
   * looks things up in `subject.inventory`, such as namespace labels).
   */
  readonly reads?: readonly string[];
  /**
   * Kinds among `reads` (same syntax) whose objects matter only to their own namespace: a change to
   * such an object in namespace N can change only the check's results about N, that is its findings on
   * objects in N or on the Namespace N, and a change to the Namespace N counts as a change in N. The
   * monitor then re-runs an object-scoped check only on the subjects in N (and the Namespace N), and a
   * Cluster check only for N (`ClusterSubject.namespaces`). Results about anything else (cluster-scoped
   * objects) must not depend on these kinds at all. A change to a cluster-scoped object of such a kind
   * (other than a Namespace) still re-runs everything.
   */
  readonly localReads?: readonly string[];
  /**
   * Kinds in `reads` (written as there) that the check looks up in some namespaces only, with those
   * namespaces (control-plane static Pods live in kube-system): a change to an object of the kind in
   * any other namespace cannot change the check's results.
   */
  readonly readsNamespaces?: Readonly<Record<string, readonly string[]>>;
  readonly meta: CheckMeta;
  /** Message templates by id; `{{name}}` placeholders are filled from the report's data. */
  readonly messages: Readonly<Record<MessageId, string>>;
  /** Options schema; `schema.parse({})` must give the defaults. */
  readonly options?: z.ZodType<Options>;
  run(subject: SubjectOf<Target>, ctx: CheckContext<MessageId, Options>): void;
}

/** A check of any shape, as the registry and engine hold it. */
export type Check = CheckDefinition<string, string, CheckTarget, unknown>;

/**
 * Define a check. The generic parameters make message ids typed: a check (or its test) cannot report
 * a message that does not exist.
 */
export function defineCheck<const Id extends string, MessageId extends string, Target extends CheckTarget, Options = Record<string, never>>(
  definition: CheckDefinition<Id, MessageId, Target, Options>,
): CheckDefinition<Id, MessageId, Target, Options> {
  return definition;
}
