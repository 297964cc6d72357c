// Falco rules throughput: events/s through Falco's full k8saudit ruleset (48 rules, 45 macros, 18 lists,
// read from ../shared/conformance/falco-k8saudit/rules/k8s_audit_rules.yaml), beside Vigil's built-in rules
// and plain JSON.parse of the same lines, in the same run, on one core. Every rate includes JSON.parse
// and event narrowing (with redaction), as `vigil audit scan` does them. The log is the synthetic mix
// of bench/audit-mix.mjs. Falco rules run in both of Falco's modes: all (Vigil's default) and first.
// Prints {bench, events, falco_rules, builtin_rules, parse_eps, builtin_eps, falco_all_eps,
//  falco_first_eps, falco_all_alerts, falco_first_alerts, falco_vs_parse, falco_vs_builtin} (CPU time).
import { readFileSync } from 'node:fs';

import { builtinRuleFiles } from '../dist/audit/builtin-rules.js';
import { DetectionEngine } from '../dist/audit/engine.js';
import { toAuditEvent } from '../dist/audit/event.js';
import { loadFalcoRules } from '../dist/audit/falco/ruleset.js';
import { loadVigilRules } from '../dist/audit/vigil-rules.js';
import { auditMixLines } from './audit-mix.mjs';
import { round, sharedPath } from './support.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const lines = auditMixLines(EVENTS);

const rulesFile = sharedPath('conformance', 'falco-k8saudit', 'rules', 'k8s_audit_rules.yaml');
const falcoFiles = [{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }];
const falco = (ruleMatching) => {
  const loaded = loadFalcoRules(falcoFiles, { ruleMatching });
  const errors = loaded.problems.filter((p) => p.level === 'error');
  if (errors.length > 0) throw new Error(`Falco rules did not load: ${errors.map((p) => p.message).join('; ')}`);
  return loaded.rules;
};
const falcoAll = falco('all');
const falcoFirst = falco('first');
const builtin = loadVigilRules(builtinRuleFiles());
if (builtin.problems.length > 0) throw new Error(`rules did not load: ${builtin.problems.map((p) => p.message).join('; ')}`);

let sink = 0;
const parseOnly = () => {
  for (const line of lines) sink += JSON.parse(line).verb.length;
};
const alerts = new Map();
const detectWith = (name, rules) => () => {
  const engine = new DetectionEngine(rules);
  let count = 0;
  for (const line of lines) {
    const event = toAuditEvent(JSON.parse(line));
    if ('error' in event) throw new Error(event.error);
    count += engine.process(event).length;
  }
  alerts.set(name, count);
};

// CPU time, not wall time (busy CI hosts); runs alternate between the workloads so that they all see
// the same conditions, and the median of each is reported.
const cpuMs = (fn) => {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const workloads = {
  parse: parseOnly,
  builtin: detectWith('builtin', builtin.rules),
  falco_all: detectWith('falco_all', falcoAll),
  falco_first: detectWith('falco_first', falcoFirst),
};
const runs = Number(process.env.BENCH_RUNS ?? 5);
for (const fn of Object.values(workloads)) fn();
const times = Object.fromEntries(Object.keys(workloads).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, fn] of Object.entries(workloads)) {
    globalThis.gc?.();
    times[name].push(cpuMs(fn));
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const eps = (name) => EVENTS / (median(times[name]) / 1000);
console.log(
  JSON.stringify({
    bench: 'falco-rules',
    events: EVENTS,
    falco_rules: falcoAll.filter((r) => r.enabled).length,
    builtin_rules: builtin.rules.length,
    parse_eps: Math.round(eps('parse')),
    builtin_eps: Math.round(eps('builtin')),
    falco_all_eps: Math.round(eps('falco_all')),
    falco_first_eps: Math.round(eps('falco_first')),
    falco_all_alerts: alerts.get('falco_all'),
    falco_first_alerts: alerts.get('falco_first'),
    falco_vs_parse: round(eps('falco_all') / eps('parse'), 2),
    falco_vs_builtin: round(eps('falco_all') / eps('builtin'), 2),
    sink: sink > 0,
  }),
);
