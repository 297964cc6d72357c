#!/usr/bin/env node
// Copies the data files the code reads at run time from src/ to dist/ (tsc copies only TypeScript):
// the built-in audit detection rules. Run by `npm run build`.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSET_DIRS = [{ from: 'src/audit/rules', to: 'dist/audit/rules', match: (name) => name.endsWith('.yaml') }];

for (const { from, to, match } of ASSET_DIRS) {
  const target = join(root, to);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(join(root, from))) if (match(name)) cpSync(join(root, from, name), join(target, name));
}
