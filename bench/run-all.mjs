#!/usr/bin/env node
// Runs every bench/*.bench.mjs in its own process, one after another (so one does not disturb the
// next), and passes their single JSON lines through. Each benchmark measures its own baseline in the
// same run. `npm run bench -- corpus` runs only benchmarks whose file name contains "corpus".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (filter === undefined || f.includes(filter)))
  .sort();
let failed = 0;
for (const file of files) {
  const run = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) {
    failed++;
    console.error(`bench: ${file} exited with ${run.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
