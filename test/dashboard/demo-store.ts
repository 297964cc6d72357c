import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../src/cli/load-config.js';
import { scanInputs, type ScanReport } from '../../src/checks/scan.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { importAuditLogs, type AuditImportResult } from '../../src/server/audit-import.js';
import { loadInputs } from '../../src/sources/load-inputs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { REPO_ROOT } from '../support/shared.js';

export const DEMO = join(REPO_ROOT, 'examples', 'demo');

export interface DemoStore {
  readonly dir: string;
  readonly file: string;
  readonly store: Store;
  readonly inventory: Inventory;
  /** The scan the store was filled from (the demo's .vigil.yaml applied). */
  readonly report: ScanReport;
  readonly audit: AuditImportResult;
  close(): Promise<void>;
}

/**
 * A SQLite store holding one evaluation of the demo (as the monitor would record it) and the demo's
 * audit log (events and the built-in rules' alerts), plus the demo's objects for Network and Access.
 */
export async function demoStore(cluster = 'demo', at = new Date()): Promise<DemoStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-'));
  const file = join(dir, 'vigil.db');
  const store = await openStore(file, { dataDir: dir });
  const config = loadConfig(join(DEMO, '.vigil.yaml'), DEMO);
  const report = await scanInputs([DEMO], { config, today: at.toISOString().slice(0, 10) });
  const loaded = await loadInputs([DEMO]);
  const { inventory } = Inventory.from(loaded.objects);
  const iso = at.toISOString();
  const runId = await store.startRun(cluster, 'sync', iso);
  await store.recordFindings({ cluster, at: iso, present: report.findings, complete: true, runId });
  await store.finishRun(runId, { at: iso, status: 'ok', objects: report.summary.objects, findings: report.findings.length });
  const audit = await importAuditLogs([join(DEMO, 'audit.log')], { store, cluster, inventory });
  return {
    dir,
    file,
    store,
    inventory,
    report,
    audit,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
