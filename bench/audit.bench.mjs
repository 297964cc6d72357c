// Audit detection throughput: events/s through every built-in rule on one core (JSON.parse, event
// narrowing with redaction, the match index, CEL conditions, state, alerts), beside plain JSON.parse
// of the same lines in the same run. Targets: >= 100,000 events/s and >= 40% of the parse rate.
// Prints {bench, events, bytes, rules, alerts, parse_eps, rules_eps, ratio} (rates from CPU time).
import { builtinRuleFiles } from '../dist/audit/builtin-rules.js';
import { DetectionEngine } from '../dist/audit/engine.js';
import { toAuditEvent } from '../dist/audit/event.js';
import { loadVigilRules } from '../dist/audit/vigil-rules.js';
import { auditMixLines } from './audit-mix.mjs';
import { round } from './support.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);

const lines = auditMixLines(EVENTS);
if (process.env.BENCH_DUMP) (await import('node:fs')).writeFileSync(process.env.BENCH_DUMP, lines.join('\n'));
const bytes = lines.reduce((a, l) => a + l.length + 1, 0);

const loaded = loadVigilRules(builtinRuleFiles());
if (loaded.problems.length > 0) throw new Error(`rules did not load: ${loaded.problems.map((p) => p.message).join('; ')}`);

let sink = 0;
const parseOnly = () => {
  for (const line of lines) sink += JSON.parse(line).verb.length;
};
let alerts = 0;
const detect = () => {
  const engine = new DetectionEngine(loaded.rules);
  alerts = 0;
  for (const line of lines) {
    const event = toAuditEvent(JSON.parse(line));
    if ('error' in event) throw new Error(event.error);
    alerts += engine.process(event).length;
  }
};

// CPU time of this process, not wall time: CI machines and shared hosts are busy, and a bench that
// counts time spent waiting for a core measures the neighbours. Runs alternate between the two
// workloads so that both see the same conditions; the median of each is reported.
const cpuMs = (fn) => {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const runs = Number(process.env.BENCH_RUNS ?? 7);
parseOnly();
detect();
const parseTimes = [];
const detectTimes = [];
for (let i = 0; i < runs; i++) {
  globalThis.gc?.();
  parseTimes.push(cpuMs(parseOnly));
  globalThis.gc?.();
  detectTimes.push(cpuMs(detect));
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const parseMs = median(parseTimes);
const detectMs = median(detectTimes);
const parseEps = EVENTS / (parseMs / 1000);
const rulesEps = EVENTS / (detectMs / 1000);
console.log(
  JSON.stringify({
    bench: 'audit-detection',
    events: EVENTS,
    bytes,
    rules: loaded.rules.length,
    alerts,
    parse_eps: Math.round(parseEps),
    rules_eps: Math.round(rulesEps),
    ratio: round(rulesEps / parseEps, 2),
    sink: sink > 0,
  }),
);
