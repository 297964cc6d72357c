// Pod Security engine over the real-world corpus: pod templates evaluated per second at
// restricted/latest, beside a plain YAML parse of the same files measured in the same run.
// Prints {bench, files, docs, templates, forbidden, parse_ms, eval_ms, templates_per_sec, pss_ms, pss_vs_parse}:
// eval_ms is the engine alone over every template (median of runs), pss_ms is `vigil pss` end to end
// (read, parse with positions, inventory, namespace policies, evaluation), pss_vs_parse its ratio to parse_ms.
import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

import { evaluatePod, judgeWorkloads, parsePolicy } from '../dist/analysis/pss/index.js';
import { Inventory } from '../dist/inventory/inventory.js';
import { podTemplateOf } from '../dist/k8s/pod-templates.js';
import { expandInputs } from '../dist/sources/file-inputs.js';
import { loadInputs } from '../dist/sources/load-inputs.js';
import { round, sharedPath, timeMedian } from './support.mjs';

const corpus = sharedPath('corpus', 'real-world');
const files = expandInputs([corpus])
  .targets.filter((t) => t.kind === 'file')
  .map((t) => t.path);

let docs = 0;
const parseAll = () => {
  docs = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      doc.toJS();
      docs++;
    }
  }
};

const loaded = await loadInputs([corpus]);
const templates = loaded.objects.map(({ object }) => podTemplateOf(object)).filter((t) => t !== undefined);
const policy = parsePolicy('restricted', 'latest');
let forbidden = 0;
const evaluateAll = () => {
  forbidden = 0;
  for (const template of templates) if (!evaluatePod(template, policy).allowed) forbidden++;
};

// The engine is fast: repeat the pass so that one timed run lasts long enough to measure.
const passes = Math.max(1, Math.ceil(20000 / Math.max(1, templates.length)));
const evaluateRepeated = () => {
  for (let i = 0; i < passes; i++) evaluateAll();
};

const endToEnd = async () => {
  const { objects } = await loadInputs([corpus]);
  const { inventory } = Inventory.from(objects);
  judgeWorkloads(inventory);
};

const runs = Number(process.env.BENCH_RUNS ?? 5);
const parseMs = await timeMedian(parseAll, { runs });
const evalMs = (await timeMedian(evaluateRepeated, { runs })) / passes;
const pssMs = await timeMedian(endToEnd, { runs });
console.log(
  JSON.stringify({
    bench: 'pss',
    files: files.length,
    docs,
    templates: templates.length,
    forbidden,
    parse_ms: round(parseMs),
    eval_ms: round(evalMs, 2),
    templates_per_sec: Math.round(templates.length / (evalMs / 1000)),
    pss_ms: round(pssMs),
    pss_vs_parse: round(pssMs / parseMs, 2),
  }),
);
