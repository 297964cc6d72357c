/**
 * Per-control compliance status from a scan: which controls of a framework pass, fail, do not apply
 * to what was scanned, or need a person to judge them. Pure: the same report gives the same result.
 */
import picomatch from 'picomatch';

import { CATALOG } from '../checks/catalog.js';
import type { Check } from '../checks/define-check.js';
import type { ScanReport } from '../checks/scan.js';
import type { Finding } from '../core/finding.js';
import type { FrameworkId } from '../core/frameworks.js';
import type { Control, FrameworkCatalogue } from './catalogue.js';
import { CIS } from './cis.js';
import { MITRE } from './mitre.js';
import { NSA } from './nsa.js';
import { PSS } from './pss.js';

/** Every catalogue, by framework id. */
export const CATALOGUES: Readonly<Record<FrameworkId, FrameworkCatalogue>> = { cis: CIS, nsa: NSA, mitre: MITRE, pss: PSS };

export type ControlStatus = 'pass' | 'fail' | 'not-applicable' | 'manual';

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly status: ControlStatus;
  /** Why a control is manual or not applicable. */
  readonly reason?: string;
  /** The checks that cover the control (available in this build). */
  readonly checks: readonly string[];
  /** Standing findings that fail it. */
  readonly findings: readonly Finding[];
  /** Findings suppressed by exceptions (they do not fail the control; they are counted). */
  readonly suppressed: number;
}

export interface ComplianceSummary {
  readonly controls: number;
  readonly pass: number;
  readonly fail: number;
  readonly notApplicable: number;
  readonly manual: number;
  /** Passing share of the controls that were decided (pass + fail), in percent; undefined when none was. */
  readonly score: number | undefined;
}

export interface ComplianceReport {
  readonly framework: { readonly id: FrameworkId; readonly name: string; readonly version: string; readonly url: string };
  readonly summary: ComplianceSummary;
  readonly controls: readonly ControlResult[];
}

/** How each available check covers a control: through its own references, or through a catalogue glob. */
interface Coverage {
  readonly byReference: ReadonlySet<string>;
  readonly byGlob: ReadonlySet<string>;
}

function coverageOf(control: Control, framework: FrameworkId, catalog: ReadonlyMap<string, Check>): Coverage {
  const byReference = new Set<string>();
  const byGlob = new Set<string>();
  const globs = (control.checks ?? []).map((g) => picomatch(g));
  for (const [id, check] of catalog) {
    if ((check.meta.frameworks?.[framework] ?? []).includes(control.id)) byReference.add(id);
    else if (globs.some((matches) => matches(id))) byGlob.add(id);
  }
  return { byReference, byGlob };
}

/** True when a finding counts against a control. */
function countsAgainst(
  finding: Finding,
  control: Control,
  framework: FrameworkId,
  coverage: Coverage,
  controlIds: ReadonlySet<string>,
): boolean {
  const refs = finding.frameworks[framework] ?? [];
  if (refs.includes(control.id)) return true;
  // A check covered by a glob counts when its finding names no control of this catalogue (chapter-level
  // or out-of-catalogue references leave the decision to the glob).
  return coverage.byGlob.has(finding.checkId) && !refs.some((ref) => controlIds.has(ref));
}

/**
 * The compliance report of a scan for one framework. The scan should have been run with
 * evaluations collected, so that "passed" can be told from "nothing to judge".
 */
export function complianceReport(
  report: ScanReport,
  framework: FrameworkId,
  catalog: ReadonlyMap<string, Check> = CATALOG,
): ComplianceReport {
  const catalogue = CATALOGUES[framework];
  const controlIds = new Set(catalogue.controls.map((c) => c.id));
  const ran = new Map(report.checks.map((active) => [active.check.id, active.check]));
  const erroredChecks = new Set(report.checkErrors.map((e) => e.checkId));
  const evaluated = new Set<string>();
  for (const e of report.evaluations ?? []) if (e.outcome === 'pass' || e.outcome === 'fail') evaluated.add(e.checkId);
  const findingsByCheck = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = findingsByCheck.get(f.checkId);
    if (list === undefined) findingsByCheck.set(f.checkId, [f]);
    else list.push(f);
  }

  const controls: ControlResult[] = catalogue.controls.map((control) => {
    const coverage = coverageOf(control, framework, catalog);
    const checks = [...coverage.byReference, ...coverage.byGlob].sort();
    const base = { id: control.id, title: control.title, section: control.section, checks };
    if (checks.length === 0) {
      return {
        ...base,
        status: 'manual',
        reason: control.manual ?? 'No Vigil check covers this control yet; review it.',
        findings: [],
        suppressed: 0,
      };
    }
    const running = checks.filter((id) => ran.has(id));
    if (running.length === 0) {
      return { ...base, status: 'manual', reason: `Its checks were not run (${checks.join(', ')}).`, findings: [], suppressed: 0 };
    }
    const against = running.flatMap((id) =>
      (findingsByCheck.get(id) ?? []).filter((f) => countsAgainst(f, control, framework, coverage, controlIds)),
    );
    const standing = against.filter((f) => f.suppression === undefined);
    const suppressed = against.length - standing.length;
    if (standing.length > 0) return { ...base, status: 'fail', findings: standing, suppressed };
    const errored = running.filter((id) => erroredChecks.has(id));
    if (errored.length > 0) {
      return {
        ...base,
        status: 'manual',
        reason: `A check failed with an error (${errored.join(', ')}); see the check errors.`,
        findings: [],
        suppressed,
      };
    }
    // A cluster-wide check judges the whole input; object checks must have met an object they judge.
    const applicable = running.some((id) => evaluated.has(id) || ran.get(id)?.target === 'Cluster') || suppressed > 0;
    if (!applicable) {
      return { ...base, status: 'not-applicable', reason: 'Nothing in the input is what its checks judge.', findings: [], suppressed };
    }
    return { ...base, status: 'pass', findings: [], suppressed };
  });

  const count = (status: ControlStatus): number => controls.filter((c) => c.status === status).length;
  const pass = count('pass');
  const fail = count('fail');
  return {
    framework: { id: catalogue.id, name: catalogue.name, version: catalogue.version, url: catalogue.url },
    summary: {
      controls: controls.length,
      pass,
      fail,
      notApplicable: count('not-applicable'),
      manual: count('manual'),
      score: pass + fail === 0 ? undefined : Math.round((pass / (pass + fail)) * 1000) / 10,
    },
    controls,
  };
}
