import {
  compareLevels,
  detailsText,
  exemptNamespaceWarning,
  formatLabelError,
  policyText,
  PSS_LABEL_PREFIX,
  PSS_MODES,
  reasonsText,
  type NamespaceReport,
  type WorkloadJudgement,
  type WorkloadVerdict,
} from '../analysis/pss/index.js';
import { fieldPathOf } from '../core/json-pointer.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { stringMap } from '../k8s/guards.js';
import type { InventoryObject } from '../inventory/inventory.js';
import type { Style } from '../report/colors.js';

/** `{kind, namespace, name}` of a workload. */
function resourceOf(owner: InventoryObject): { kind: string; namespace?: string; name: string } {
  return { kind: owner.ref.kind, ...(owner.ref.namespace === undefined ? {} : { namespace: owner.ref.namespace }), name: owner.ref.name };
}

/** `{file, line}` of where an object was read (line null when unknown, such as kustomize output). */
function sourceOf(owner: InventoryObject): { file: string; line: number | null } | null {
  const source = owner.source;
  return source === undefined ? null : { file: source.file, line: source.line ?? null };
}

function lineOf(owner: InventoryObject, pointer: string): number | undefined {
  return owner.source?.positions?.locate(pointer)?.line ?? owner.source?.line;
}

/** One entry of `vigil pss --format json`: the shape other tools rely on (docs/pod-security.md). */
export interface PssJsonEntry {
  readonly resource: { kind: string; namespace?: string; name: string };
  readonly source: { file: string; line: number | null } | null;
  readonly level: string;
  readonly version: string;
  readonly allowed: boolean;
  /** Only on exempt entries: why the admission controller would not evaluate the pod. */
  readonly exempt?: string;
  readonly violations: { control: string; reason: string; detail: string; path: string }[];
}

export function pssJson(verdicts: readonly WorkloadVerdict[]): PssJsonEntry[] {
  return verdicts.map(({ workload, policy, result, exemption }) => ({
    resource: resourceOf(workload.owner),
    source: sourceOf(workload.owner),
    level: policy.level,
    version: policy.version.text,
    // Exempt pods are admitted whatever they hold; their violations are still listed.
    allowed: exemption !== undefined || result.allowed,
    ...(exemption === undefined ? {} : { exempt: exemption }),
    violations: result.violations.map((v) => ({
      control: v.control,
      reason: v.reason,
      detail: v.detail,
      path: fieldPathOf(v.fields[0]?.pointer ?? workload.template.specPointer),
    })),
  }));
}

function where(owner: InventoryObject, pointer?: string): string {
  const file = owner.source?.file;
  if (file === undefined) return '';
  const line = pointer === undefined ? owner.source?.line : lineOf(owner, pointer);
  return line === undefined ? file : `${file}:${line}`;
}

/** The table of `vigil pss`: a verdict line per pod or template, then each violation and the fields at fault. */
export function pssTable(verdicts: readonly WorkloadVerdict[], style: Style): string {
  const lines: string[] = [];
  let denied = 0;
  let exempt = 0;
  for (const { workload, policy, result, exemption } of verdicts) {
    const owner = workload.owner;
    let verdict: string;
    if (exemption !== undefined) {
      exempt++;
      verdict = style.yellow(`EXEMPT (${exemption})`);
    } else if (result.allowed) {
      verdict = style.green('ALLOWED');
    } else {
      denied++;
      verdict = style.red('DENIED');
    }
    lines.push(`${verdict}  ${style.bold(formatResourceRef(owner.ref))}  ${policyText(policy)}  ${style.dim(where(owner))}`.trimEnd());
    for (const v of result.violations) {
      lines.push(`  - ${v.detail === '' ? v.reason : `${v.reason} (${v.detail})`}`);
      for (const field of v.fields)
        lines.push(style.dim(`      at ${fieldPathOf(field.pointer)}  ${where(owner, field.pointer)}`.trimEnd()));
    }
  }
  const allowed = verdicts.length - denied - exempt;
  lines.push(
    '',
    `${verdicts.length} pod${verdicts.length === 1 ? '' : 's'} and pod templates: ${allowed} allowed, ${denied} denied${exempt > 0 ? `, ${exempt} exempt` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function violatorJson(w: WorkloadJudgement, mode: (typeof PSS_MODES)[number]) {
  return {
    resource: resourceOf(w.owner),
    source: sourceOf(w.owner),
    reasons: reasonsText(w.results[mode].violations),
    details: detailsText(w.results[mode].violations),
  };
}

/** One entry of `vigil pss --namespaces --format json`. */
export function namespacesJson(reports: readonly NamespaceReport[]) {
  return reports.map((r) => {
    const labels = r.object === undefined ? {} : stringMap(r.object.object.metadata.labels);
    const warning = exemptNamespaceWarning(r);
    return {
      namespace: r.name,
      defined: !r.implied,
      exempt: r.exempt,
      labels: Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith(PSS_LABEL_PREFIX))),
      labelErrors: r.policy.errors.map(formatLabelError),
      workloads: r.workloads.length,
      modes: Object.fromEntries(
        PSS_MODES.map((mode) => [
          mode,
          {
            level: r.modes[mode].policy.level,
            version: r.modes[mode].policy.version.text,
            labelled: r.modes[mode].labelled,
            violators: r.modes[mode].violators.map((w) => violatorJson(w, mode)),
            dryRunWarnings: r.modes[mode].dryRunWarnings,
          },
        ]),
      ),
      strictestEnforceable: { level: r.strictestEnforceable.level, version: r.strictestEnforceable.version.text },
      ...(warning === undefined ? {} : { exemptWarning: warning }),
    };
  });
}

/** The migration plan as text: a summary row per namespace, then who violates what and what to run. */
export function namespacesTable(reports: readonly NamespaceReport[], style: Style): string {
  const header = ['NAMESPACE', 'ENFORCE', 'AUDIT', 'WARN', 'WORKLOADS', 'VIOLATING E/A/W', 'CAN ENFORCE'];
  const rows = reports.map((r) => [
    `${r.name}${r.implied ? ' (implied)' : ''}${r.exempt ? ' (exempt)' : ''}`,
    ...PSS_MODES.map((m) => `${policyText(r.modes[m].policy)}${r.modes[m].labelled ? '' : '*'}`),
    String(r.workloads.length),
    PSS_MODES.map((m) => r.modes[m].violators.length).join('/'),
    policyText(r.strictestEnforceable),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [style.bold(line(header)), ...rows.map(line), style.dim('* from the defaults, not a label on the namespace'), ''];
  for (const r of reports) {
    const notes: string[] = [];
    for (const error of r.policy.errors) notes.push(style.red(`  invalid label: ${formatLabelError(error)}`));
    const warning = exemptNamespaceWarning(r);
    if (warning !== undefined) notes.push(`  ${warning}`);
    for (const mode of PSS_MODES) {
      for (const w of r.modes[mode].violators) {
        notes.push(
          `  ${mode} ${policyText(r.modes[mode].policy)}: ${formatResourceRef(w.owner.ref)}: ${reasonsText(w.results[mode].violations)}`,
        );
      }
    }
    const level = r.strictestEnforceable.level;
    if (!r.exempt && compareLevels(level, r.modes.enforce.policy.level) > 0) {
      notes.push(style.dim(`  plan: kubectl label --dry-run=server --overwrite ns ${r.name} ${PSS_LABEL_PREFIX}enforce=${level}`));
    }
    if (notes.length > 0) out.push(style.bold(r.name), ...notes, '');
  }
  return `${out.join('\n')}\n`;
}
