import type { Check } from '../checks/define-check.js';
import type { ScanReport } from '../checks/scan.js';
import { complianceReport } from '../compliance/evaluate.js';
import type { Finding } from '../core/finding.js';
import { FRAMEWORKS, type FrameworkId } from '../core/frameworks.js';
import { TOOL } from '../core/version.js';
import type { FrameworkJson } from './api-types.js';

/*
 * The Compliance view from the framework catalogues (src/compliance/): every control of CIS, NSA/CISA,
 * MITRE ATT&CK for Containers and PSS, judged by the same code as `vigil scan --framework`. The store
 * keeps findings, not per-object evaluations, so every check that ran counts as having judged the
 * cluster: a covered control with no open finding passes (a scan with evaluations can also say "not
 * applicable"; the monitor's stored state cannot tell that apart).
 */

export interface ComplianceInput {
  /** Every check known (the catalog). */
  readonly catalog: ReadonlyMap<string, Check>;
  /** Ids of the checks that ran. */
  readonly ran: ReadonlySet<string>;
  /** Findings that are not resolved, with their effective suppression. */
  readonly findings: readonly Finding[];
}

/** Control status and score of every framework, as the dashboard's API returns it. */
export function complianceOf(input: ComplianceInput): FrameworkJson[] {
  const checks = [...input.ran].flatMap((id) => {
    const check = input.catalog.get(id);
    return check === undefined ? [] : [{ check, severity: check.meta.defaultSeverity, options: undefined }];
  });
  // What the catalogue evaluation reads of a scan: the checks that ran, their errors (none kept),
  // per-check evaluations (one stand-in per check that ran) and the findings.
  const report: ScanReport = {
    tool: TOOL,
    summary: {
      files: 0,
      documents: 0,
      objects: 0,
      skippedDocuments: 0,
      emptyDocuments: 0,
      findings: input.findings.filter((f) => f.suppression === undefined).length,
      suppressed: input.findings.filter((f) => f.suppression !== undefined).length,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      checksRun: checks.length,
      checkErrors: 0,
      inputErrors: 0,
      inputWarnings: 0,
    },
    findings: input.findings,
    problems: [],
    checkErrors: [],
    checks,
    evaluations: checks.map((c) => ({
      checkId: c.check.id,
      resource: { apiVersion: 'v1', kind: 'Cluster', name: 'cluster' },
      outcome: 'pass' as const,
    })),
    staleExceptions: [],
  };
  return (Object.keys(FRAMEWORKS) as FrameworkId[]).map((id) => {
    const result = complianceReport(report, id, input.catalog);
    return {
      id,
      name: result.framework.name,
      version: result.framework.version,
      url: result.framework.url,
      summary: {
        controls: result.summary.controls,
        pass: result.summary.pass,
        fail: result.summary.fail,
        notApplicable: result.summary.notApplicable,
        manual: result.summary.manual,
        ...(result.summary.score === undefined ? {} : { score: result.summary.score }),
      },
      controls: result.controls.map((c) => ({
        id: c.id,
        title: c.title,
        section: c.section,
        status: c.status,
        ...(c.reason === undefined ? {} : { reason: c.reason }),
        checks: c.checks,
        findings: c.findings.length,
        suppressed: c.suppressed,
      })),
    };
  });
}
