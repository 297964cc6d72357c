// The dashboard API over a large stored history: 20,000 findings of one cluster (a tenth resolved),
// their events, 5,000 alerts and 50,000 audit events in SQLite. Times the requests each view makes
// (in-process, fastify inject) and the HTML report of 20,000 findings. Baseline in the same run: reading
// the cluster's findings and exceptions from the store, which every findings request must do.
// Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fingerprintOf } from '../dist/core/finding.js';
import { formatHtml } from '../dist/report/html.js';
import { buildDashboardApp } from '../dist/server/dashboard-app.js';
import { openStore } from '../dist/store/open-store.js';
import { round, timeMedian } from './support.mjs';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 20_000);
const ALERTS = 5_000;
const EVENTS = 50_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const CHECKS = [
  ['images/latest-tag', 'images'],
  ['resources/missing-limits', 'resources'],
  ['pod-security/restricted-run-as-non-root', 'pod-security'],
  ['network/unisolated-ingress', 'network'],
  ['rbac/secrets-read', 'rbac'],
];

function finding(i) {
  const [checkId, area] = CHECKS[i % CHECKS.length];
  const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: `ns-${i % 200}`, name: `app-${Math.floor(i / 5)}` };
  const pointer = `/spec/template/spec/containers/${i % 3}/image`;
  return {
    checkId,
    messageId: 'm',
    severity: SEVERITIES[i % SEVERITIES.length],
    area,
    title: `Problem ${checkId}`,
    message: `Deployment ${resource.namespace}/${resource.name} has a problem`,
    resource,
    location: { path: `spec.template.spec.containers[${i % 3}].image`, pointer },
    remediation: 'Fix it.',
    frameworks: { cis: ['5.2.1'], pss: ['restricted'] },
    fingerprint: fingerprintOf(checkId, resource, pointer),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-dashboard-'));
const store = await openStore(undefined, { dataDir: dir });
const cluster = 'bench';
const findings = Array.from({ length: FINDINGS }, (_, i) => finding(i));
const day = 86_400_000;
const now = Date.now();
// Two evaluations a week apart: the second resolves a tenth, so the trend and "what changed" have work.
const first = new Date(now - 7 * day).toISOString();
const second = new Date(now - day / 2).toISOString();
let run = await store.startRun(cluster, 'sync', first);
await store.recordFindings({ cluster, at: first, present: findings, complete: true, runId: run });
await store.finishRun(run, { at: first, status: 'ok', objects: FINDINGS / 2, findings: FINDINGS });
run = await store.startRun(cluster, 'resync', second);
await store.recordFindings({ cluster, at: second, present: findings.filter((_, i) => i % 10 !== 0), complete: true, runId: run });
await store.finishRun(run, { at: second, status: 'ok', objects: FINDINGS / 2, findings: FINDINGS });
const alerts = Array.from({ length: ALERTS }, (_, i) => ({
  id: `a-${i}`,
  rule: `rule-${i % 20}`,
  source: i % 4 === 0 ? 'falco' : 'vigil',
  severity: SEVERITIES[i % SEVERITIES.length],
  title: 'Something happened',
  output: `user u-${i % 50} did something`,
  time: new Date(now - (i % 14) * day).toISOString(),
  cluster,
}));
await store.recordAlerts(alerts, new Date(now).toISOString());
const events = Array.from({ length: EVENTS }, (_, i) => ({
  auditID: `e-${i}`,
  stage: 'ResponseComplete',
  time: new Date(now - i * 1000).toISOString(),
  user: `user-${i % 100}`,
  verb: ['get', 'list', 'create', 'delete'][i % 4],
  apiGroup: '',
  resource: ['pods', 'secrets', 'configmaps'][i % 3],
  subresource: '',
  namespace: `ns-${i % 200}`,
  name: `obj-${i}`,
  requestURI: `/api/v1/namespaces/ns-${i % 200}/pods/obj-${i}`,
  code: i % 17 === 0 ? 403 : 200,
}));
for (let i = 0; i < events.length; i += 5000) await store.recordAuditEvents(cluster, events.slice(i, i + 5000));

const app = buildDashboardApp({ store, mode: 'store', cluster, loopbackOnly: true });
await app.ready();
const request = async (url) => {
  const res = await app.inject({ url, headers: { host: '127.0.0.1' } });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return res;
};

const baselineMs = await timeMedian(async () => {
  await Promise.all([store.findings({ cluster, status: 'all' }), store.exceptions()]);
});
const timings = {};
for (const [name, url] of [
  ['overviewMs', '/api/overview'],
  ['findingsMs', '/api/findings'],
  ['findingsFilteredMs', '/api/findings?severity=critical&namespace=ns-7&q=app'],
  ['complianceMs', '/api/compliance'],
  ['alertsMs', '/api/alerts'],
  ['auditEventsMs', '/api/audit/events?code=403&user=user-*'],
]) {
  timings[name] = round(await timeMedian(() => request(url)));
}

const report = {
  tool: { name: 'vigil', version: 'bench' },
  summary: { files: 0, documents: 0, objects: FINDINGS / 2, skippedDocuments: 0, emptyDocuments: 0, findings: FINDINGS, suppressed: 0 },
  findings,
  problems: [],
  checkErrors: [],
  checks: [],
  staleExceptions: [],
};
report.summary.bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]));
report.summary.checksRun = 0;
report.summary.checkErrors = 0;
report.summary.inputErrors = 0;
report.summary.inputWarnings = 0;
let htmlBytes = 0;
const htmlMs = await timeMedian(
  () => {
    htmlBytes = formatHtml(report).length;
  },
  { runs: 3 },
);

await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'dashboard',
    findings: FINDINGS,
    alerts: ALERTS,
    auditEvents: EVENTS,
    baseline: { storeReadMs: round(baselineMs) },
    ...timings,
    htmlReportMs: round(htmlMs),
    htmlReportMiB: round(htmlBytes / 1048576, 2),
  }),
);
