import { Command } from 'commander';

import { CATALOG, docsOf } from '../checks/catalog.js';
import { UsageError } from '../core/errors.js';
import { formatFrameworkRefs } from '../core/frameworks.js';
import { emit, type CliIo } from './io.js';

/** Edit distance, to suggest the check a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

export function explainCommand(io: CliIo): Command {
  return new Command('explain')
    .summary('explain what a check means and how to fix it')
    .description('Print a check’s metadata and its documentation: why it matters, examples, how to fix it, when to disable it.')
    .argument('<check-id>', 'for example images/latest-tag')
    .action((id: string) => {
      const check = CATALOG.get(id);
      if (check === undefined) {
        const ids = [...CATALOG.keys()];
        const close = ids
          .map((candidate) => ({ candidate, d: Math.min(distance(id, candidate), candidate.includes(id) ? 1 : Infinity) }))
          .filter(({ d }) => d <= Math.max(3, Math.floor(id.length / 3)))
          .sort((a, b) => a.d - b.d)
          .slice(0, 3)
          .map(({ candidate }) => candidate);
        throw new UsageError(`no check "${id}"`, {
          hint: close.length > 0 ? `Did you mean ${close.join(', ')}?` : 'List the checks with `vigil checks`.',
        });
      }
      const meta = check.meta;
      const header = [
        `${check.id} — ${meta.title}`,
        `area: ${meta.area}   default severity: ${meta.defaultSeverity}   runs on: ${check.target}${check.kinds === undefined ? '' : ` (${check.kinds.join(', ')})`}`,
        ...(meta.frameworks === undefined ? [] : [`frameworks: ${formatFrameworkRefs(meta.frameworks)}`]),
        '',
        meta.description,
        '',
        `Fix: ${meta.remediation}`,
        '',
      ];
      const docs = docsOf(check.id) ?? '';
      // The README starts with its own "# id" heading, already shown above.
      const body = docs.replace(/^# .*\n+/, '');
      emit(io, `${header.join('\n')}\n${body}`, undefined);
    });
}
