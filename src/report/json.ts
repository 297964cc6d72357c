import type { ScanReport } from '../checks/scan.js';

export interface JsonOptions {
  readonly includeStaleExceptions?: boolean;
}

/**
 * The JSON contract (DESIGN.md): `{ tool, summary, findings }`, plus input problems and check errors.
 * Each finding says `suppressed` explicitly and carries its suppression when it has one.
 */
export function formatJson(report: ScanReport, options: JsonOptions = {}): string {
  const document = {
    tool: { name: report.tool.name, version: report.tool.version },
    summary: report.summary,
    findings: report.findings.map((f) => ({ ...f, suppressed: f.suppression !== undefined })),
    problems: report.problems,
    checkErrors: report.checkErrors,
    ...(options.includeStaleExceptions === true ? { staleExceptions: report.staleExceptions } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
