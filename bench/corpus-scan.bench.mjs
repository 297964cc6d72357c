// Scan of the whole real-world corpus versus a plain YAML parse of the same files, in one process.
// Prints {bench, files, docs, objects, findings, parse_ms, scan_ms, ratio}; the foundation's target is ratio <= 2.
import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

import { scanInputs } from '../dist/checks/scan.js';
import { expandInputs } from '../dist/sources/file-inputs.js';
import { formatJson } from '../dist/report/json.js';
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

let report;
const scan = async () => {
  report = await scanInputs([corpus]);
  formatJson(report);
};

const runs = Number(process.env.BENCH_RUNS ?? 5);
const parseMs = await timeMedian(parseAll, { runs });
const scanMs = await timeMedian(scan, { runs });
console.log(
  JSON.stringify({
    bench: 'corpus-scan',
    files: files.length,
    docs,
    objects: report.summary.objects,
    findings: report.findings.length,
    parse_ms: round(parseMs),
    scan_ms: round(scanMs),
    ratio: round(scanMs / parseMs, 2),
  }),
);
