#!/usr/bin/env node
// Bundles the dashboard front end (web/) into dist/web: app.js (esbuild: one ES module, minified),
// app.css and index.html. Run by `npm run build`; the server serves dist/web.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(join(root, 'web', 'styles.css'), join(out, 'app.css'));
cpSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
