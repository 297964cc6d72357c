// NetworkPolicy reachability at scale: a deterministic cluster of 5,000 pods and 1,000 policies
// (bench/netpol-cluster.mjs). Measures, in one process:
//   parse_ms      reading the cluster as one JSON List document (the baseline: what loading costs)
//   model_ms      Inventory + network model (namespaces, pods, compiled policies)
//   matrix_ms     the full pod-to-pod-per-port matrix (equivalence classes + class matrix); target < 5000
//   recompute_ms  one policy changed, matrix brought up to date incrementally (median); target < 100
// Times are wall-clock medians; matrix_cpu_ms is the CPU time of one build (steadier on a busy machine).
// It also checks, outside the timings,, that the incremental matrix equals a fresh build on sampled pairs.
import { Inventory } from '../dist/inventory/inventory.js';
import { ReachabilityMatrix } from '../dist/analysis/netpol/matrix.js';
import { buildNetworkModel } from '../dist/analysis/netpol/model.js';
import { compilePolicy } from '../dist/analysis/netpol/policy.js';
import { readManifestText } from '../dist/sources/read-manifest-text.js';
import { generateCluster, makePolicy, rng } from './netpol-cluster.mjs';
import { round, timeMedian } from './support.mjs';

const options = { namespaces: 50, appsPerNamespace: 25, replicas: 4, policies: 1000, seed: 42 };
const { objects } = generateCluster(options);
const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
const runs = Number(process.env.BENCH_RUNS ?? 5);

/** CPU time (user + system) of one call, in ms: steadier than wall time on a shared machine. */
function cpuMs(fn) {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

let read;
const parseMs = await timeMedian(
  () => {
    read = readManifestText(text, 'cluster.json', 'json');
  },
  { runs },
);

let model;
const modelMs = await timeMedian(
  () => {
    const { inventory } = Inventory.from(read.objects);
    model = buildNetworkModel(inventory);
  },
  { runs },
);

let matrix;
const matrixMs = await timeMedian(
  () => {
    matrix = ReachabilityMatrix.build(model);
  },
  { runs },
);
const matrixCpuMs = cpuMs(() => ReachabilityMatrix.build(model));
const stats = matrix.stats();
const allowedPairs = matrix.countAllowedPodPairs();

// One policy changed at a time: replace a random allow policy with a freshly drawn one of the same name.
const random = rng(4242);
const policies = objects.filter(
  (o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('allow-') && o.metadata.name !== 'allow-dns',
);
let current = objects;
const changes = Number(process.env.BENCH_CHANGES ?? 25);
const times = [];
let splits = 0;
for (let i = 0; i < changes; i++) {
  const target = policies[Math.floor(random() * policies.length)];
  const ns = target.metadata.namespace;
  const next = makePolicy(
    random,
    ns,
    Number(ns.slice(-2)),
    2 + Math.floor(random() * 5),
    options.appsPerNamespace,
    options.namespaces,
    target.metadata.name,
  );
  const start = process.hrtime.bigint();
  const compiled = compilePolicy(next, ns);
  splits += matrix.applyPolicy(compiled).splitClasses;
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  current = current.map((o) =>
    o.metadata.namespace === ns && o.kind === 'NetworkPolicy' && o.metadata.name === target.metadata.name ? next : o,
  );
}
times.sort((a, b) => a - b);

// Correctness, not timed: the updated matrix equals a fresh build on 20,000 sampled pod pairs.
const fresh = ReachabilityMatrix.build(buildNetworkModel(Inventory.from(current.map((object) => ({ object }))).inventory));
const pods = matrix.pods;
let mismatches = 0;
const sample = rng(7);
for (let i = 0; i < 20000; i++) {
  const a = pods[Math.floor(sample() * pods.length)];
  const b = pods[Math.floor(sample() * pods.length)];
  const got = matrix.podConnections(a, b);
  const want = fresh.podConnections(fresh.model.podById(a.id), fresh.model.podById(b.id));
  if (!got.equals(want)) mismatches++;
}

console.log(
  JSON.stringify({
    bench: 'netpol',
    pods: stats.pods,
    policies: stats.policies,
    pod_pairs: stats.pods * stats.pods,
    classes: stats.podClasses,
    external_classes: stats.externalClasses,
    connection_sets: stats.connectionSets,
    allowed_pod_pairs: allowedPairs,
    parse_ms: round(parseMs),
    model_ms: round(modelMs),
    matrix_ms: round(matrixMs),
    matrix_cpu_ms: round(matrixCpuMs),
    recompute_ms: round(times[Math.floor(times.length / 2)], 2),
    recompute_max_ms: round(times.at(-1), 2),
    changes,
    splits,
    verified_pairs: 20000,
    mismatches,
  }),
);
if (mismatches > 0) process.exit(1);
