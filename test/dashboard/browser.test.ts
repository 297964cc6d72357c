// End to end in a real browser: `vigil monitor` on the demo (manifests, .vigil.yaml, audit log),
// serving the dashboard beside /metrics; Debian's chromium driven by playwright-core. Screenshots are
// saved under test-results/dashboard/ (CI keeps them as artefacts).
//
// Without a chromium (a developer machine) the suite is skipped with a note; `.ci/run` installs
// chromium and sets VIGIL_REQUIRE_BROWSER=1, so there a missing browser fails instead.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ComparisonJson, FindingsPageJson, OverviewJson } from '../../src/server/api-types.js';
import { cli } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';
import { DEMO } from './demo-store.js';

const CHROMIUM = [process.env.VIGIL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => p !== undefined && p !== '' && existsSync(p),
);
const REQUIRED = process.env.VIGIL_REQUIRE_BROWSER === '1';
const ARTIFACTS = join(REPO_ROOT, 'test-results', 'dashboard');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** An expression run in the page: the texts with too little contrast (see contrast-failures.js). */
const CONTRAST_FAILURES = `(${readFileSync(join(REPO_ROOT, 'test', 'dashboard', 'contrast-failures.js'), 'utf8')})()`;

if (CHROMIUM === undefined && !REQUIRED) {
  process.stderr.write('dashboard browser tests skipped: no chromium found (set VIGIL_CHROMIUM, or run .ci/run)\n');
}

describe.skipIf(CHROMIUM === undefined && !REQUIRED)('dashboard in a browser (vigil monitor on the demo)', () => {
  let dir: string | undefined;
  let daemon: ChildProcessWithoutNullStreams | undefined;
  let url = '';
  let browser: Browser | undefined;
  let desktop: BrowserContext;
  let log = '';

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  const shot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  const open = async (context: BrowserContext, hash: string): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      log += `page error: ${err.message}\n`;
    });
    await page.goto(`${url}/${hash}`);
    await page.locator('main .view h1').waitFor();
    return page;
  };

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error('VIGIL_REQUIRE_BROWSER=1 but no chromium: install it (apt-get install chromium)');
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
    // A second cluster in the same store for the Fleet view: the demo without its ops namespace.
    const staging = join(dir, 'staging');
    cpSync(DEMO, staging, { recursive: true });
    rmSync(join(staging, '40-ops.yaml'));
    rmSync(join(staging, 'audit.log'));
    const stored = await cli(['monitor', staging, '--once', '--cluster-name', 'staging', '--data-dir', dir]);
    expect(stored.code, stored.stderr).toBe(0);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'monitor',
        DEMO,
        '--config',
        join(DEMO, '.vigil.yaml'),
        '--audit-log',
        join(DEMO, 'audit.log'),
        '--cluster-name',
        'demo',
        '--data-dir',
        dir,
        '--listen',
        '127.0.0.1:0',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } },
    );
    daemon = child;
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the monitor did not start:\n${log}`));
      }, 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /dashboard: (http:\/\/[^/\s]+)\//.exec(log);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => {
        reject(new Error(`the monitor exited (${String(code)}):\n${log}`));
      });
    });
    // Ready once the first evaluation is stored; the audit log replays beside it.
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      const alerts = (await fetch(`${url}/api/alerts?limit=1`)
        .then((r) => r.json())
        .catch(() => ({ total: 0 }))) as { total: number };
      if (res?.status === 200 && alerts.total > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    const child = daemon;
    if (child?.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    expect(log).not.toMatch(/page error/);
  });

  it('loads the overview on the demo data: score, open findings, chart, riskiest namespaces', async () => {
    const overview = await api<OverviewJson>('/api/overview');
    const page = await open(desktop, '#/overview');
    await expect(page.getByTestId('open-total').textContent()).resolves.toBe(String(overview.open.total));
    await expect(page.getByTestId('score').textContent()).resolves.toContain(String(overview.score.value));
    expect(await page.locator('svg.chart').count()).toBeGreaterThan(0);
    // The audit log's alerts reach the overview through the monitor's audit feed.
    await expect(page.getByTestId('recent-alerts').locator('h2').textContent()).resolves.toMatch(/^Recent alerts \([1-9]\d*\)$/);
    const top = overview.topNamespaces[0]?.name ?? '';
    expect(top).not.toBe('');
    await expect(page.locator('main').textContent()).resolves.toContain(top);
    await shot(page, 'overview-1280');
    await page.close();
  });

  it('narrows the findings table with a filter', async () => {
    const page = await open(desktop, '#/findings');
    const rows = page.locator('[data-testid=findings-table] tbody tr[data-fingerprint]');
    const before = await rows.count();
    const critical = await api<FindingsPageJson>('/api/findings?severity=critical');
    expect(critical.total).toBeGreaterThan(0);
    expect(critical.total).toBeLessThan(before);
    await page.getByLabel('Severity').selectOption('critical');
    await expect.poll(() => rows.count()).toBe(critical.total);
    const badges = await rows.locator('td:first-child .badge').allTextContents();
    expect(new Set(badges.map((b) => b.trim().toLowerCase()))).toEqual(new Set(['critical']));
    await expect(page.getByTestId('findings-count').textContent()).resolves.toMatch(new RegExp(`^${critical.total} finding`));
    // The filter is in the address, so the narrowed view can be shared and survives a reload.
    expect(page.url()).toContain('severity=critical');
    await page.reload();
    await page.locator('main .view h1').waitFor();
    await expect.poll(() => rows.count()).toBe(critical.total);
    await shot(page, 'findings-filtered-1280');
    await page.close();
  });

  it('answers whether two workloads can talk, naming the policy that decides', async () => {
    const page = await open(desktop, '#/network');
    await page.getByLabel('From', { exact: true }).selectOption('shop/web');
    await page.getByLabel('To', { exact: true }).selectOption('data/postgres');
    await page.getByLabel('Port', { exact: true }).fill('5432');
    await page.getByRole('button', { name: 'Can they talk?' }).click();
    await expect(page.getByTestId('reach-verdict').textContent()).resolves.toMatch(/shop\/web → data\/postgres on TCP\/5432: ALLOWED/);

    await page.getByLabel('From', { exact: true }).selectOption('data/redis');
    await page.getByLabel('To', { exact: true }).selectOption('payments/payments-api');
    await page.getByLabel('Port', { exact: true }).fill('8443');
    await page.getByRole('button', { name: 'Can they talk?' }).click();
    await expect(page.getByTestId('reach-verdict').textContent()).resolves.toMatch(/DENIED/);
    // The deciding policy of the isolated destination is named.
    await expect(page.getByTestId('reach-answer').textContent()).resolves.toMatch(/default-deny/);
    await shot(page, 'network-reach-1280');
    await page.close();
  });

  it('keeps a suppression (reason, expiry) across a reload', async () => {
    const open0 = await api<FindingsPageJson>('/api/findings?check=images/latest-tag&namespace=data');
    const target = open0.findings[0];
    expect(target).toBeDefined();
    const page = await open(desktop, `#/findings/${target?.fingerprint ?? ''}`);
    await page.getByLabel('Reason (required)').fill('redis cache image is rebuilt nightly from a pinned base');
    await page.getByLabel('Expires').fill('2099-12-31');
    await page.getByRole('button', { name: 'Suppress' }).click();
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('suppressed');
    await page.reload();
    await page.locator('main .view h1').waitFor();
    await expect(page.getByTestId('detail-status').textContent()).resolves.toBe('suppressed');
    await expect(page.getByTestId('suppression').textContent()).resolves.toContain('redis cache image is rebuilt nightly');
    await expect(page.getByTestId('suppression').textContent()).resolves.toContain('2099-12-31');
    const suppressed = await api<FindingsPageJson>('/api/findings?status=suppressed');
    expect(suppressed.findings.map((f) => f.fingerprint)).toContain(target?.fingerprint);
    await shot(page, 'finding-suppressed-1280');
    await page.close();
  });

  it('shows the alert timeline of every source and searches audit events', async () => {
    const page = await open(desktop, '#/audit');
    expect(await page.locator('[data-testid=alerts] ol.timeline li').count()).toBeGreaterThan(0);
    await page.getByLabel('Response code').fill('403');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => (await page.getByTestId('audit-events').textContent()) ?? '').toMatch(/\d+ events?/);
    const codes = await page.locator('[data-testid=audit-events] tbody tr td.num').allTextContents();
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['403']));
    await shot(page, 'audit-1280');
    await page.close();
  });

  it('shows compliance per framework and access answers', async () => {
    const page = await open(desktop, '#/compliance');
    expect(await page.getByTestId('framework-summary').count()).toBeGreaterThan(0);
    await shot(page, 'compliance-1280');
    await page.close();
    const access = await open(desktop, '#/access');
    await shot(access, 'access-1280');
    await access.close();
  });

  it('lists the store’s clusters, compares them, and opens one from the Fleet view', async () => {
    const cmp = await api<ComparisonJson>('/api/fleet/compare?clusters=demo,staging');
    expect(cmp.drift.total).toBeGreaterThan(0);
    const page = await open(desktop, '#/fleet');
    const rows = page.locator('table').first().locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    // Both clusters are ticked by default, so the comparison is shown at once.
    await expect(page.getByTestId('compare-summary').textContent()).resolves.toBe(
      `${cmp.common} findings open in every compared cluster · ${cmp.drift.total} open in some and not in others`,
    );
    // The ops namespace exists only in demo: its findings are open there, unknown in staging.
    const opsRow = page.locator('tr', { hasText: 'ops/node-debugger' }).first();
    await expect(opsRow.locator('td.placement-open').count()).resolves.toBe(1);
    await expect(opsRow.locator('td.placement-unknown').count()).resolves.toBe(1);
    await shot(page, 'fleet-1280');
    // Unticking one leaves too few to compare.
    await page.getByRole('checkbox', { name: 'staging' }).uncheck();
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect.poll(() => page.url()).toContain('compare=demo');
    await page.getByText('Tick two or more clusters to compare them.').waitFor();
    // Choosing a cluster opens its overview.
    await page.getByRole('link', { name: 'staging', exact: true }).click();
    await page.locator('main .view[data-view=overview] h1').waitFor();
    await expect(page.locator('#cluster-select').inputValue()).resolves.toBe('staging');
    await page.close();
  });

  it('works from the keyboard: skip link, navigation, focus on the new view', async () => {
    const page = await open(desktop, '#/overview');
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string | undefined>('document.activeElement?.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('main');
    // From the top again: the navigation follows the skip link, in order.
    await page.evaluate("document.querySelector('.skip-link').focus()");
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string | undefined>('document.activeElement?.textContent')).resolves.toBe('Overview');
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string | undefined>('document.activeElement?.textContent')).resolves.toBe('Findings');
    await page.keyboard.press('Enter');
    await page.locator('main .view[data-view=findings] h1').waitFor();
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Findings');
    await expect(page.evaluate<string | undefined>('document.activeElement?.tagName')).resolves.toBe('H1');
    // Every focusable control shows a visible focus ring.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
    await page.close();
  });

  it('has readable contrast: every text at least 4.5:1 (WCAG AA) on its background', async () => {
    for (const view of ['overview', 'findings', 'audit', 'network', 'compliance', 'fleet']) {
      const page = await open(desktop, `#/${view}`);
      const failures = await page.evaluate<string[]>(CONTRAST_FAILURES);
      expect(failures, `${view}: ${failures.join('\n')}`).toEqual([]);
      await page.close();
    }
  });

  it('works at a phone width: no sideways scrolling, the navigation and a filter still usable', async () => {
    if (browser === undefined) throw new Error('no browser');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      for (const view of ['overview', 'findings', 'network', 'audit', 'fleet']) {
        const page = await open(phone, `#/${view}`);
        // Against the device width, not innerWidth: a mobile layout viewport grows to fit what overflows.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - 390');
        expect(overflow, `${view} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
        // Every view can be reached: all navigation links lie within the screen.
        const outside = await page.evaluate<number>(
          "[...document.querySelectorAll('#nav a')].filter((a) => a.getBoundingClientRect().right > 390).length",
        );
        expect(outside, `${view}: navigation links off screen`).toBe(0);
        await shot(page, `${view}-phone`);
        await page.close();
      }
      const page = await open(phone, '#/overview');
      await page.getByRole('link', { name: 'Findings' }).tap();
      await page.locator('main .view[data-view=findings] h1').waitFor();
      await page.getByLabel('Severity').selectOption('high');
      await expect.poll(() => page.url()).toContain('severity=high');
      await page.close();
    } finally {
      await phone.close();
    }
  });
});
