import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../../test/support/shared.js';
import { cli } from '../../test/support/run-cli.js';
import { scanInputs, scanObjects } from '../checks/scan.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { FRAMEWORKS } from '../core/frameworks.js';
import { formatHtml } from './html.js';
import { postureScore } from './posture-summary.js';
import { escapeXml } from './svg-charts.js';

const DEMO = join(REPO_ROOT, 'examples', 'demo');

describe('HTML report', () => {
  it('is one self-contained page with the overview, findings and compliance of the scan', async () => {
    const report = await scanInputs([DEMO]);
    const html = formatHtml(report, { generatedAt: new Date('2026-01-02T03:04:05Z') });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Nothing to fetch: no script, no external stylesheet, image or font; the CSP forbids any request.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    for (const id of ['overview', 'findings', 'compliance']) expect(html).toContain(`<section id="${id}"`);
    // Charts are inline SVG with a text description.
    expect(html.match(/<svg[^>]*role="img"/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(html).toContain(
      `Posture score <strong>${
        postureScore(
          report.findings.filter((f) => !f.suppression),
          report.summary.objects,
        ).value
      }</strong>`,
    );
    // One collapsible entry per finding, suppressed ones marked.
    expect(html.match(/<details/g)?.length).toBe(report.findings.length);
    expect(html.match(/<em>\(suppressed\)<\/em>/g)?.length ?? 0).toBe(report.summary.suppressed);
    expect(html).toContain(`<h2 id="findings-h">Findings (${report.findings.length})</h2>`);
    for (const name of Object.values(FRAMEWORKS)) expect(html).toContain(`<h3>${escapeXml(name)}</h3>`);
    expect(html).toContain('generated 2026-01-02 03:04 UTC');
  });

  it('escapes everything that comes from the input', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: x
  namespace: "<script>alert(1)</script>"
spec:
  containers:
    - name: "<img src=x onerror=alert(1)>"
      image: "nginx:latest"
`;
    const read = readManifestText(text, 'evil.yaml');
    const report = scanObjects(read.objects, { ...read.stats, files: 1 }, read.problems);
    expect(report.findings.length).toBeGreaterThan(0);
    const html = formatHtml(report);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('is what `vigil scan --format html -o` writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-html-'));
    try {
      const out = join(dir, 'report.html');
      const run = await cli(['scan', DEMO, '--format', 'html', '-o', out]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('→');
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('<section id="overview"');
      expect(html).toContain('acme');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
