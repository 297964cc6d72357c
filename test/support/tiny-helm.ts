import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

/**
 * Renders Vigil's Helm chart when `helm` itself is not installed. It understands only what the
 * chart's templates use on purpose — `{{ .Values.a.b }}`, `| quote`, `.Release.Name`,
 * `.Release.Namespace`, `.Chart.AppVersion`, `{{- if X }}…{{- end }}` and whitespace trimming — and
 * throws on anything else, so a template that outgrows it fails the test instead of rendering wrong.
 */
export function renderChart(
  chartDir: string,
  release: { name: string; namespace: string },
  overrides: Record<string, unknown> = {},
): string {
  const values = deepMerge(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>, overrides);
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const scope = { Values: values, Release: { Name: release.name, Namespace: release.namespace }, Chart: { AppVersion: chart.appVersion } };
  const files = readdirSync(join(chartDir, 'templates'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return files.map((f) => `---\n# Source: ${f}\n${renderTemplate(readFileSync(join(chartDir, 'templates', f), 'utf8'), scope)}`).join('\n');
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function lookup(scope: unknown, path: string): unknown {
  if (!path.startsWith('.')) throw new Error(`tiny-helm: unsupported expression "${path}"`);
  let value: unknown = scope;
  for (const part of path.slice(1).split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function truthy(value: unknown): boolean {
  return !(value === undefined || value === null || value === false || value === '' || value === 0);
}

export function renderTemplate(template: string, scope: unknown): string {
  // Trim markers first: `{{-` eats whitespace before, `-}}` after (as in Go templates).
  const trimmed = template.replace(/\s*\{\{-/g, '{{').replace(/-\}\}\s*/g, '}}');
  const tokens = trimmed.split(/(\{\{[^}]*\}\})/);
  const out: string[] = [];
  const stack: boolean[] = [];
  const active = (): boolean => stack.every(Boolean);
  for (const token of tokens) {
    const action = /^\{\{\s*(.*?)\s*\}\}$/.exec(token)?.[1];
    if (action === undefined) {
      if (active()) out.push(token);
      continue;
    }
    const ifMatch = /^if\s+(\S+)$/.exec(action);
    if (ifMatch !== null) {
      stack.push(truthy(lookup(scope, ifMatch[1] as string)));
    } else if (action === 'end') {
      if (stack.pop() === undefined) throw new Error('tiny-helm: end without if');
    } else {
      const [expr, ...pipes] = action.split('|').map((s) => s.trim());
      let value = lookup(scope, expr as string);
      if (value === undefined) throw new Error(`tiny-helm: ${expr ?? ''} is not set`);
      for (const pipe of pipes) {
        if (pipe !== 'quote') throw new Error(`tiny-helm: unsupported function "${pipe}"`);
        value = JSON.stringify(String(value));
      }
      if (active()) out.push(String(value));
    }
  }
  if (stack.length > 0) throw new Error('tiny-helm: if without end');
  return out.join('');
}
