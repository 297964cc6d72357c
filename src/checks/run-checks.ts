import type { InputProblem } from '../core/errors.js';
import { fingerprintOf, type Finding } from '../core/finding.js';
import { fieldPathOf, valueAt } from '../core/json-pointer.js';
import { apiGroupOf, type ResourceRef } from '../core/resource-ref.js';
import { bySeverityDescending, type Severity } from '../core/severity.js';
import type { Inventory, InventoryObject, WorkloadTemplate } from '../inventory/inventory.js';
import { containersOf } from '../k8s/pod-templates.js';
import type { Check, CheckContext, ContainerSubject, PodSpecSubject, ReportDescriptor } from './define-check.js';
import type { ExceptionMatcher } from './exceptions.js';

/** A check that is switched on, with its effective severity and validated options. */
export interface ActiveCheck {
  readonly check: Check;
  readonly severity: Severity;
  readonly options: unknown;
}

/** How one check fared on one object (`skipped`: the object is outside what the check judges). */
export type Outcome = 'pass' | 'fail' | 'error' | 'skipped';

export interface Evaluation {
  readonly checkId: string;
  readonly resource: ResourceRef;
  readonly file?: string;
  readonly outcome: Outcome;
}

/** A check that threw. The scan goes on; the error is reported, never hidden. */
export interface CheckError {
  readonly checkId: string;
  readonly resource?: ResourceRef;
  readonly message: string;
}

export interface EvaluationResult {
  /** Findings in canonical order (severity, check, namespace, kind, name, field). */
  readonly findings: Finding[];
  readonly errors: CheckError[];
  /** Per check × object outcomes, when asked for (JUnit needs the passes too). */
  readonly evaluations?: Evaluation[];
  readonly problems: InputProblem[];
}

export interface EvaluateOptions {
  readonly exceptions?: ExceptionMatcher;
  readonly collectEvaluations?: boolean;
  /**
   * Run the object-scoped checks (PodSpec, Container, Object) only on the subjects with these identity
   * keys (`InventoryObject.key`); Cluster checks run as given. The monitor re-evaluates what a change
   * can affect this way.
   */
  readonly subjects?: ReadonlySet<string>;
  /**
   * Run the Cluster checks that declare `localReads` for these namespaces only (see
   * `ClusterSubject.namespaces`); their findings about other namespaces and cluster-scoped objects are
   * dropped. Other Cluster checks run as given.
   */
  readonly namespaces?: ReadonlySet<string>;
  /** Called for every finding with the key of the subject it was found on (undefined for Cluster checks). */
  readonly onFinding?: (finding: Finding, subjectKey: string | undefined) => void;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

function formatMessage(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (!template.includes('{{')) return template;
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = data?.[key];
    return value === undefined ? whole : String(value);
  });
}

const CONTAINER_IN_POINTER = /^(.*\/(?:containers|initContainers|ephemeralContainers)\/\d+)(?:\/|$)/;

function isInventoryObject(value: InventoryObject | ResourceRef): value is InventoryObject {
  return 'key' in value && 'ref' in value;
}

const NO_KIND = (): boolean => false;
// Keyed by a check's `kinds` array, which lives as long as the check: built once, not per evaluation.
const kindMatchers = new WeakMap<readonly string[], (entry: InventoryObject) => boolean>();

function kindMatcher(kinds: readonly string[] | undefined): (entry: InventoryObject) => boolean {
  if (kinds === undefined) return NO_KIND;
  const cached = kindMatchers.get(kinds);
  if (cached !== undefined) return cached;
  // A bare kind is the core group, `group/Kind` one API group, group `*` any group (see CheckDefinition.kinds).
  const keys = new Set(kinds.map((k) => (k.includes('/') ? k : `/${k}`)));
  const matcher = (entry: InventoryObject): boolean => {
    const kind = entry.ref.kind;
    return keys.has(`${apiGroupOf(entry.ref.apiVersion)}/${kind}`) || keys.has(`*/${kind}`);
  };
  kindMatchers.set(kinds, matcher);
  return matcher;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical order of findings: independent of input order, so the same objects give the same report. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    bySeverityDescending(a.severity, b.severity) ||
    compareText(a.checkId, b.checkId) ||
    compareText(a.resource.namespace ?? '', b.resource.namespace ?? '') ||
    compareText(a.resource.kind, b.resource.kind) ||
    compareText(a.resource.name, b.resource.name) ||
    compareText(a.location.pointer, b.location.pointer) ||
    compareText(a.location.file ?? '', b.location.file ?? '') ||
    (a.location.line ?? 0) - (b.location.line ?? 0)
  );
}

/** Every template, or only the subjects' (without rebuilding every template after each change). */
function templatesToJudge(inventory: Inventory, subjects: ReadonlySet<string> | undefined): readonly WorkloadTemplate[] {
  if (subjects === undefined) return inventory.podTemplates();
  const out: WorkloadTemplate[] = [];
  for (const key of subjects) {
    for (const entry of inventory.entriesOf(key)) {
      const template = inventory.templateOf(entry);
      if (template !== undefined) out.push(template);
    }
  }
  return out.sort((a, b) => a.owner.id - b.owner.id);
}

/**
 * The namespace a finding's resource belongs to for `localReads`: its own namespace, or the name of a
 * Namespace; undefined for other cluster-scoped objects.
 */
export function namespaceOfResource(resource: ResourceRef): string | undefined {
  if (resource.namespace !== undefined) return resource.namespace;
  return resource.kind === 'Namespace' && apiGroupOf(resource.apiVersion) === '' ? resource.name : undefined;
}

function entriesToJudge(
  inventory: Inventory,
  subjects: ReadonlySet<string> | undefined,
  kinds: readonly (readonly string[] | undefined)[],
  matchers: readonly ((entry: InventoryObject) => boolean)[],
): readonly InventoryObject[] {
  if (subjects === undefined && inventory.size <= kinds.length) {
    // Fewer objects than checks (one object in admission): test each object instead of looking up
    // every kind. The same entries, as kindMatcher and ofKind read `kinds` alike.
    return inventory
      .all()
      .filter((entry) => matchers.some((applies) => applies(entry)))
      .sort((a, b) => a.id - b.id);
  }
  if (subjects === undefined) {
    // Only the kinds the checks run on (a cluster holds far more objects than any check looks at).
    const out = new Set<InventoryObject>();
    for (const kind of new Set(kinds.flatMap((k) => k ?? []))) {
      const slash = kind.indexOf('/');
      const group = slash < 0 ? '' : kind.slice(0, slash);
      for (const entry of inventory.ofKind(kind.slice(slash + 1), group === '*' ? {} : { group })) out.add(entry);
    }
    return [...out].sort((a, b) => a.id - b.id);
  }
  return [...subjects].flatMap((key) => inventory.entriesOf(key)).sort((a, b) => a.id - b.id);
}

/** A finding as reported, with what its fingerprint may need if it collides with a sibling's. */
interface ReportedFinding {
  readonly finding: Finding;
  readonly key: string | undefined;
  readonly pointer: string;
  readonly data: Readonly<Record<string, string | number>> | undefined;
}

/** JSON with sorted keys, so equal data gives equal text. */
function stableJson(data: Readonly<Record<string, string | number>>): string {
  return JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
}

/**
 * A fingerprint names one problem (DESIGN.md: check, object, field). When one run of a check reports
 * several findings at the same field, each of them is also keyed by its message id and data (content,
 * not report order); what still collides is numbered in report order. Checks that know such findings
 * can come together pass an explicit `key`, which also keeps a fingerprint when its sibling goes away.
 */
function distinctFingerprints(checkId: string, batch: readonly ReportedFinding[]): Finding[] {
  if (batch.length < 2) return batch.map((b) => b.finding);
  const counts = new Map<string, number>();
  for (const { finding } of batch) counts.set(finding.fingerprint, (counts.get(finding.fingerprint) ?? 0) + 1);
  if ([...counts.values()].every((n) => n === 1)) return batch.map((b) => b.finding);
  const seen = new Set<string>();
  return batch.map(({ finding, key, pointer, data }) => {
    if (counts.get(finding.fingerprint) === 1) return finding;
    const base = `${key ?? ''}\u0000${finding.messageId}\u0000${data === undefined ? '' : stableJson(data)}`;
    let fingerprint = fingerprintOf(checkId, finding.resource, pointer, base);
    for (let n = 2; seen.has(fingerprint); n++) fingerprint = fingerprintOf(checkId, finding.resource, pointer, `${base}\u0000${n}`);
    seen.add(fingerprint);
    return { ...finding, fingerprint };
  });
}

/** What every check context of one `evaluate` call shares. */
interface RunState {
  readonly options: EvaluateOptions;
  readonly record: (checkId: string, entry: InventoryObject | ResourceRef, outcome: Outcome) => void;
}

const NO_FINDINGS: readonly ReportedFinding[] = [];

/**
 * The context one check gets for one subject. A class rather than an object of closures: the
 * admission webhook runs some 30 of these per review, and their garbage is part of its GC pauses.
 */
class SubjectContext implements CheckContext<string, unknown> {
  reported = false;
  skipped = false;
  /** Findings reported so far (a shared empty array until the first). */
  batch: ReportedFinding[] = NO_FINDINGS as ReportedFinding[];
  readonly options: unknown;

  constructor(
    private readonly run: RunState,
    private readonly active: ActiveCheck,
    private readonly defaultEntry: InventoryObject | undefined,
    private readonly defaultPointer: string,
    private readonly templateMetadataPointer: string | undefined,
  ) {
    this.options = active.options;
  }

  notApplicable(): void {
    this.skipped = true;
  }

  report(descriptor: ReportDescriptor<string>): void {
    this.reported = true;
    const { active, defaultEntry, defaultPointer, templateMetadataPointer } = this;
    const options = this.run.options;
    const target = descriptor.resource ?? defaultEntry;
    if (target === undefined) throw new Error(`check ${active.check.id} reported without naming a resource`);
    const entry = isInventoryObject(target) ? target : undefined;
    const resource = entry?.ref ?? (target as ResourceRef);
    const pointer = descriptor.pointer ?? (entry === defaultEntry ? defaultPointer : '');
    const template = active.check.messages[descriptor.messageId];
    if (template === undefined) throw new Error(`check ${active.check.id} has no message "${descriptor.messageId}"`);
    const containerPointer = CONTAINER_IN_POINTER.exec(pointer)?.[1];
    const containerName =
      containerPointer === undefined || entry === undefined ? undefined : valueAt(entry.object, `${containerPointer}/name`);
    const container = typeof containerName === 'string' ? containerName : undefined;
    const source = entry?.source;
    const at = source?.positions?.locate(pointer);
    const line = at?.line ?? source?.line;
    const suppression = options.exceptions?.match({
      checkId: active.check.id,
      resource,
      ...(container === undefined ? {} : { container }),
      ...(entry === undefined ? {} : { entry }),
      ...(templateMetadataPointer === undefined || entry !== defaultEntry ? {} : { templateMetadataPointer }),
    });
    const finding: Finding = {
      checkId: active.check.id,
      severity: descriptor.severity ?? active.severity,
      area: active.check.meta.area,
      title: active.check.meta.title,
      messageId: descriptor.messageId,
      message: formatMessage(template, descriptor.data),
      resource,
      location: {
        path: fieldPathOf(pointer),
        pointer,
        ...(source === undefined ? {} : { file: source.file, documentIndex: source.documentIndex }),
        ...(line === undefined ? {} : { line }),
        ...(at === undefined ? {} : { column: at.column }),
      },
      ...(container === undefined ? {} : { container }),
      remediation: active.check.meta.remediation,
      frameworks: descriptor.frameworks ?? active.check.meta.frameworks ?? {},
      fingerprint: fingerprintOf(active.check.id, resource, pointer, descriptor.key),
      ...(suppression === undefined ? {} : { suppression }),
    };
    if (this.batch === NO_FINDINGS) this.batch = [];
    this.batch.push({ finding, key: descriptor.key, pointer, data: descriptor.data });
    if (entry !== undefined) this.run.record(active.check.id, entry, 'fail');
    else this.run.record(active.check.id, resource, 'fail');
  }
}

/**
 * Run checks over an Inventory. Pure: the same objects and checks give the same findings in the same
 * order. Each check runs inside its own guard, so a bug in one check becomes an error outcome on one
 * object, never a crashed scan.
 */
export function evaluate(inventory: Inventory, checks: readonly ActiveCheck[], options: EvaluateOptions = {}): EvaluationResult {
  const findings: Finding[] = [];
  const errors: CheckError[] = [];
  const outcomes = options.collectEvaluations === true ? new Map<string, Evaluation>() : undefined;

  const record = (checkId: string, entry: InventoryObject | ResourceRef, outcome: Outcome): void => {
    if (outcomes === undefined) return;
    const ref = isInventoryObject(entry) ? entry.ref : entry;
    const key = `${checkId}\u0000${isInventoryObject(entry) ? entry.id : `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`}`;
    const previous = outcomes.get(key)?.outcome;
    // Across the containers of one workload the worst outcome stands; `skipped` never hides a verdict.
    if (previous === 'error' || (previous === 'fail' && outcome !== 'error')) return;
    if (outcome === 'skipped' && previous !== undefined) return;
    const file = isInventoryObject(entry) ? entry.source?.file : undefined;
    outcomes.set(key, { checkId, resource: ref, ...(file === undefined ? {} : { file }), outcome });
  };

  const run: RunState = { options, record };

  /** Run one check on one subject, turning a throw into an error outcome. */
  const guarded = (
    active: ActiveCheck,
    entry: InventoryObject | undefined,
    subject: unknown,
    pointer: string,
    templateMetadataPointer?: string,
    wanted?: (finding: Finding) => boolean,
  ): void => {
    const ctx = new SubjectContext(run, active, entry, pointer, templateMetadataPointer);
    try {
      active.check.run(subject as never, ctx);
      if (!ctx.reported && entry !== undefined) record(active.check.id, entry, ctx.skipped ? 'skipped' : 'pass');
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push({ checkId: active.check.id, ...(entry === undefined ? {} : { resource: entry.ref }), message });
      if (entry !== undefined) record(active.check.id, entry, 'error');
    }
    if (ctx.batch.length === 0) return;
    for (const finding of distinctFingerprints(active.check.id, ctx.batch)) {
      if (wanted !== undefined && !wanted(finding)) continue;
      findings.push(finding);
      options.onFinding?.(finding, entry?.key);
    }
  };

  const podChecks = checks.filter((c) => c.check.target === 'PodSpec');
  const containerChecks = checks.filter((c) => c.check.target === 'Container');
  if (podChecks.length > 0 || containerChecks.length > 0) {
    for (const { owner, template } of templatesToJudge(inventory, options.subjects)) {
      const pod: PodSpecSubject = {
        spec: template.spec,
        pointer: template.specPointer,
        metadata: template.metadata,
        metadataPointer: template.metadataPointer,
        workload: owner,
        inventory,
      };
      for (const active of podChecks) guarded(active, owner, pod, template.specPointer, template.metadataPointer);
      if (containerChecks.length === 0) continue;
      for (const ref of containersOf(template.spec, template.specPointer)) {
        const subject: ContainerSubject = { container: ref.container, pointer: ref.pointer, kind: ref.kind, pod };
        for (const active of containerChecks) guarded(active, owner, subject, ref.pointer, template.metadataPointer);
      }
    }
  }

  const objectChecks = checks
    .filter((c) => c.check.target === 'Object')
    .map((active) => ({ active, applies: kindMatcher(active.check.kinds) }));
  if (objectChecks.length > 0) {
    const kinds = objectChecks.map(({ active }) => active.check.kinds);
    const matchers = objectChecks.map(({ applies }) => applies);
    for (const entry of entriesToJudge(inventory, options.subjects, kinds, matchers)) {
      for (const { active, applies } of objectChecks) {
        if (applies(entry)) guarded(active, entry, { object: entry.object, entry, inventory }, '');
      }
    }
  }

  const namespaces = options.namespaces;
  for (const active of checks) {
    if (active.check.target !== 'Cluster') continue;
    if (namespaces === undefined || active.check.localReads === undefined) guarded(active, undefined, { inventory }, '');
    else guarded(active, undefined, { inventory, namespaces }, '', undefined, (f) => namespaces.has(namespaceOfResource(f.resource) ?? ''));
  }

  findings.sort(compareFindings);
  return {
    findings,
    errors,
    ...(outcomes === undefined ? {} : { evaluations: [...outcomes.values()] }),
    problems: options.exceptions?.problems ?? [],
  };
}
