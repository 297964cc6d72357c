import { SEVERITIES } from '../core/severity.js';
import type { ScanSummary } from '../checks/scan.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `12 findings (1 critical, 3 high) · 2 suppressed · 57 objects in 12 files · 1 document skipped` */
export function formatSummaryLine(summary: ScanSummary): string {
  const counts = SEVERITIES.filter((s) => summary.bySeverity[s] > 0).map((s) => `${summary.bySeverity[s]} ${s}`);
  const parts = [plural(summary.findings, 'finding') + (counts.length > 0 ? ` (${counts.join(', ')})` : '')];
  if (summary.suppressed > 0) parts.push(`${summary.suppressed} suppressed`);
  parts.push(`${plural(summary.objects, 'object')} in ${plural(summary.files, 'file')}`);
  if (summary.skippedDocuments > 0) parts.push(`${plural(summary.skippedDocuments, 'document')} skipped`);
  if (summary.inputErrors > 0) parts.push(plural(summary.inputErrors, 'input error'));
  if (summary.checkErrors > 0) parts.push(plural(summary.checkErrors, 'check error'));
  return parts.join(' · ');
}
