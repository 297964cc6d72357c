import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../checks/config.js';
import { scanInputs, type ScanReport } from '../checks/scan.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatTable } from './table.js';

let report: ScanReport;

beforeAll(async () => {
  const config = parseConfig(
    'exceptions:\n  - check: network/exposed-service\n    namespace: shop\n    name: web\n    reason: public storefront\n  - check: images/latest-tag\n    namespace: nowhere\n    reason: unused on purpose\n',
    '.vigil.yaml',
  );
  report = await scanInputs(['examples/demo'], { config, collectEvaluations: true, today: '2026-11-26' });
});

describe('table', () => {
  it('groups findings by object with file, severity, check, field and line', () => {
    const text = formatTable(report);
    expect(text).toMatch(/^Deployment shop\/api {2}examples\/demo\/10-shop\.yaml$/m);
    expect(text).toMatch(/^ {2}MEDIUM {3}images\/latest-tag +spec\.template\.spec\.containers\[0\]\.image:\d+$/m);
    expect(text).not.toContain('\u001b[');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^\d+ findings \(.*\) · \d+ suppressed · 31 objects in 5 files$/);
  });

  it('hides suppressed findings unless asked, and colours only when asked', () => {
    expect(formatTable(report)).not.toContain('[suppressed: public storefront]');
    expect(formatTable(report, { showSuppressed: true })).toContain('[suppressed: public storefront]');
    expect(formatTable(report, { color: true })).toContain('\u001b[');
  });

  it('lists stale exceptions when asked', () => {
    const text = formatTable(report, { showStaleExceptions: true });
    expect(text).toContain('Stale exceptions (1)');
    expect(text).toMatch(/unused {2}\.vigil\.yaml exceptions\[1\]: images\/latest-tag — unused on purpose/);
  });
});

describe('junit', () => {
  it('is well-formed XML with a suite per check and a case per check × object', () => {
    const xml = formatJunit(report);
    expect(SyntaxValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['testsuite', 'testcase'].includes(name),
    }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        skipped: string;
        testsuite: { name: string; testcase?: { name: string; failure?: unknown; skipped?: unknown }[] }[];
      };
    };
    const suites = parsed.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(report.checks.map((c) => c.check.id));
    const latest = suites.find((s) => s.name === 'images/latest-tag');
    const failing = new Set(
      report.findings
        .filter((f) => f.checkId === 'images/latest-tag' && f.suppression === undefined)
        .map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`),
    );
    expect(new Set(latest?.testcase?.filter((c) => c.failure !== undefined).map((c) => c.name))).toEqual(failing);
    // Passing objects are cases too: the web Deployment uses :latest, but the payments API does not.
    expect(latest?.testcase?.some((c) => c.name === 'Deployment payments/payments-api' && c.failure === undefined)).toBe(true);
    const exposed = suites.find((s) => s.name === 'network/exposed-service');
    expect(exposed?.testcase?.find((c) => c.name === 'Service shop/web')?.skipped).toBeDefined();
    expect(Number(parsed.testsuites.failures)).toBe(
      // A cluster-wide check that finds nothing has a suite without test cases.
      suites.reduce((n, s) => n + (s.testcase ?? []).filter((c) => c.failure !== undefined).length, 0),
    );
  });

  it('escapes what XML cannot hold', () => {
    const xml = formatJunit({ ...report, findings: report.findings.map((f) => ({ ...f, message: `${f.message} <&> "\u0001"` })) });
    expect(SyntaxValidator.validate(xml)).toBe(true);
  });
});

describe('markdown', () => {
  it('gives a headline, counts and a findings table', () => {
    const text = formatMarkdown(report);
    expect(text).toMatch(/^### Vigil: \d+ findings, worst critical$/m);
    expect(text).toContain('| medium |');
    expect(text).toMatch(
      /^\| medium \| `images\/latest-tag` \| Deployment shop\/web \| examples\/demo\/10-shop\.yaml:\d+ `spec\.template\.spec\.containers\[0\]\.image` \|/m,
    );
  });

  it('stays inside what a pull-request comment can hold', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...report.findings[0]!, fingerprint: String(i) }));
    const text = formatMarkdown({ ...report, findings: many });
    expect(text.length).toBeLessThan(65_536);
    expect(text).toMatch(/_\d+ more findings not shown/);
  });
});
