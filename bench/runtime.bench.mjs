// Runtime correlation throughput: Falco JSON lines → parsed, narrowed, placed in context (workload,
// Pod Security level, exposure, service-account grants, findings) and turned into Vigil alerts with
// adjusted severity, on one core, beside plain JSON.parse of the same lines in the same run. The
// context is the example cluster (examples/runtime) grown to 200 workloads in 20 namespaces.
// Prints {bench, alerts, workloads, parse_aps, correlate_aps, ratio, raised, lowered, kept} (rates from CPU time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Inventory } from '../dist/inventory/inventory.js';
import { correlate, RuntimeContext, toFalcoAlert } from '../dist/runtime/index.js';
import { readManifestText } from '../dist/sources/read-manifest-text.js';
import { falcoAlert } from './falco-load.mjs';
import { repoRoot, round } from './support.mjs';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 50_000);
const base = readManifestText(readFileSync(join(repoRoot, 'examples/runtime/cluster.yaml'), 'utf8'), 'cluster.yaml').objects;
const extra = [];
for (let i = 0; i < 200; i++) {
  const ns = `team-${i % 20}`;
  extra.push({
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `svc-${i}`, namespace: ns },
      spec: {
        selector: { matchLabels: { app: `svc-${i}` } },
        template: {
          metadata: { labels: { app: `svc-${i}` } },
          spec: {
            containers: [{ name: 'app', image: `registry.example.com/${ns}/svc:${i}`, securityContext: { privileged: i % 7 === 0 } }],
          },
        },
      },
    },
  });
}
const { inventory } = Inventory.from([...base, ...extra]);
const lines = Array.from({ length: ALERTS }, (_, i) => {
  const alert = falcoAlert(i);
  // Spread alerts over the grown cluster too: a third hit pods of the svc-N deployments.
  if (i % 3 === 2) {
    const n = i % 200;
    alert.output_fields['k8s.ns.name'] = `team-${n % 20}`;
    alert.output_fields['k8s.pod.name'] = `svc-${n}-6c4b8d9f7-p5w7t`;
  }
  return JSON.stringify(alert);
});

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
globalThis.gc?.();
let start = cpu();
let parsed = 0;
for (const line of lines) if (JSON.parse(line) !== null) parsed++;
const parseSeconds = cpu() - start;

const context = new RuntimeContext(inventory);
// Warm the context (first alert per workload computes its facts; the catalog runs once).
for (const line of lines.slice(0, 600)) correlate(toFalcoAlert(JSON.parse(line)), context);
globalThis.gc?.();
const moved = { raise: 0, lower: 0, keep: 0 };
start = cpu();
for (const line of lines) {
  const alert = correlate(toFalcoAlert(JSON.parse(line)), context);
  moved[alert.reasons[0].effect]++;
}
const correlateSeconds = cpu() - start;

console.log(
  JSON.stringify({
    bench: 'runtime',
    alerts: parsed,
    workloads: inventory.podTemplates().length,
    parse_aps: Math.round(ALERTS / parseSeconds),
    correlate_aps: Math.round(ALERTS / correlateSeconds),
    ratio: round(parseSeconds / correlateSeconds, 3),
    raised: moved.raise,
    lowered: moved.lower,
    kept: moved.keep,
  }),
);
