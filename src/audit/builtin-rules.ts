import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { RuleFileText } from './vigil-rules.js';

/**
 * The folder of the built-in rules: `rules/` beside this module, in the source tree and in `dist/`
 * alike (the build copies src/audit/rules/*.yaml to dist/audit/rules/).
 */
export const BUILTIN_RULES_DIR: string = fileURLToPath(new URL('./rules/', import.meta.url));

/** The built-in rule files, in name order (lists.yaml first, so every file can use its lists). */
export function builtinRuleFiles(): RuleFileText[] {
  const names = readdirSync(BUILTIN_RULES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort((a, b) => (a === 'lists.yaml' ? -1 : b === 'lists.yaml' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => ({ file: `builtin:${name}`, text: readFileSync(`${BUILTIN_RULES_DIR}${name}`, 'utf8') }));
}
