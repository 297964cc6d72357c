import type { ScanReport } from '../checks/scan.js';
import { formatHtml } from './html.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';
import { formatTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface FormatOptions {
  readonly color?: boolean;
  readonly showSuppressed?: boolean;
  readonly showStaleExceptions?: boolean;
}

/** Format a scan report in one of the output formats. */
export function formatReport(report: ScanReport, format: OutputFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'table':
      return formatTable(report, options);
    case 'json':
      return formatJson(report, { includeStaleExceptions: options.showStaleExceptions === true });
    case 'sarif':
      return formatSarif(report);
    case 'junit':
      return formatJunit(report);
    case 'markdown':
      return formatMarkdown(report);
    case 'html':
      return formatHtml(report);
  }
}
