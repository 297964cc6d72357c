import { formatResourceRef } from '../core/resource-ref.js';
import type { ScanReport } from '../checks/scan.js';
import type { Finding } from '../core/finding.js';

function xml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      // Control characters are not allowed in XML 1.0.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

interface Case {
  readonly name: string;
  readonly file?: string;
  readonly failures: Finding[];
  readonly suppressed: Finding[];
  error?: string;
}

/**
 * JUnit XML for CI systems: a test suite per check, a test case per check × object, failing when the
 * check found something there. Suppressed findings make the case skipped; a check error is an error.
 * Needs a scan run with evaluations collected, so that passing cases appear too.
 */
export function formatJunit(report: ScanReport): string {
  const suites = new Map<string, Map<string, Case>>();
  for (const { check } of report.checks) suites.set(check.id, new Map());
  const caseFor = (checkId: string, name: string, file?: string): Case => {
    let suite = suites.get(checkId);
    if (suite === undefined) {
      suite = new Map();
      suites.set(checkId, suite);
    }
    const key = `${name}\u0000${file ?? ''}`;
    let c = suite.get(key);
    if (c === undefined) {
      c = { name, ...(file === undefined ? {} : { file }), failures: [], suppressed: [] };
      suite.set(key, c);
    }
    return c;
  };
  for (const e of report.evaluations ?? []) {
    // An object outside what the check judges is not a test case of that check.
    if (e.outcome !== 'skipped') caseFor(e.checkId, formatResourceRef(e.resource), e.file);
  }
  for (const f of report.findings) {
    const c = caseFor(f.checkId, formatResourceRef(f.resource), f.location.file);
    (f.suppression === undefined ? c.failures : c.suppressed).push(f);
  }
  for (const e of report.checkErrors) {
    if (e.resource !== undefined) caseFor(e.checkId, formatResourceRef(e.resource)).error = e.message;
  }

  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const [checkId, cases] of suites) {
    const list = [...cases.values()];
    const suiteFailures = list.filter((c) => c.failures.length > 0).length;
    const suiteErrors = list.filter((c) => c.error !== undefined).length;
    const suiteSkipped = list.filter((c) => c.failures.length === 0 && c.suppressed.length > 0).length;
    tests += list.length;
    failures += suiteFailures;
    errors += suiteErrors;
    skipped += suiteSkipped;
    body.push(
      `  <testsuite name="${xml(checkId)}" tests="${list.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="${suiteSkipped}">`,
    );
    for (const c of list) {
      const fileAttr = c.file === undefined ? '' : ` file="${xml(c.file)}"`;
      const open = `    <testcase classname="${xml(checkId)}" name="${xml(c.name)}"${fileAttr}`;
      if (c.failures.length === 0 && c.suppressed.length === 0 && c.error === undefined) {
        body.push(`${open}/>`);
        continue;
      }
      body.push(`${open}>`);
      if (c.error !== undefined) body.push(`      <error message="${xml(c.error)}"/>`);
      if (c.failures.length > 0) {
        const worst = c.failures[0] as Finding;
        const details = c.failures
          .map(
            (f) =>
              `${f.severity}: ${f.message}\n  at ${f.location.file ?? ''}${f.location.line === undefined ? '' : `:${f.location.line}`} ${f.location.path}\n  fix: ${f.remediation}`,
          )
          .join('\n');
        body.push(`      <failure type="${worst.severity}" message="${xml(worst.message)}">${xml(details)}</failure>`);
      } else if (c.suppressed.length > 0) {
        body.push(`      <skipped message="${xml(`suppressed: ${(c.suppressed[0] as Finding).suppression?.reason ?? ''}`)}"/>`);
      }
      body.push('    </testcase>');
    }
    body.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vigil" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
