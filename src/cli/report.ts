import { Command, Option } from 'commander';

import { isAtLeast, SEVERITIES, type Severity } from '../core/severity.js';
import { UsageError } from '../core/errors.js';
import { shouldColor } from '../report/colors.js';
import { clusterDetailOf, comparisonOf, fleetOf, parseSince } from '../server/fleet-view.js';
import { openStore } from '../store/open-store.js';
import { EXIT, emit, listOption, type CliIo } from './io.js';
import { formatClusterDetail, formatComparison, formatFleet } from './report-output.js';

interface ReportFlags {
  store?: string;
  dataDir: string;
  cluster: string[];
  compare?: boolean;
  since: string;
  format: 'text' | 'json' | 'markdown';
  output?: string;
  limit: string;
  failOn: Severity | 'none';
  color?: boolean;
}

const FORMATS = ['text', 'json', 'markdown'] as const;

function positiveLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a whole number of at least 1, got "${text}"`);
  return n;
}

/**
 * `vigil report`: what a store holds, outside the dashboard — every cluster side by side, one
 * cluster in full, or a finding-by-finding comparison of clusters. Reads only; the store can be
 * shared by a whole fleet's monitors.
 */
export function reportCommand(io: CliIo, setExit: (code: number) => void, now: () => Date = () => new Date()): Command {
  return new Command('report')
    .summary('report on the clusters a store holds: all of them, one, or a comparison')
    .description(
      'Summarise the findings, finding changes and alerts a store holds (the one `vigil monitor` writes; a PostgreSQL store shared by a fleet holds every cluster). With no --cluster: one line per cluster. With one --cluster: that cluster in full. With --compare: the clusters side by side, check by check and finding by finding.',
    )
    .option('--store <url>', 'postgres://… for PostgreSQL, or a SQLite file (default: <data-dir>/vigil.db)')
    .option('--data-dir <dir>', 'folder of the embedded SQLite store', '.vigil-data')
    .option('--cluster <names>', 'clusters to report on (comma-separated, repeatable; default: every cluster)', listOption, [])
    .option('--compare', 'compare the clusters (two or more) check by check and finding by finding')
    .option('--since <when>', 'window for finding changes and alerts: a duration (24h, 7d) or an ISO 8601 time', '24h')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file')
    .option('--limit <n>', 'findings, alerts and drift findings to list at most', '50')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a reported open finding (with --compare: a finding that differs between the clusters) is at or above this severity',
      )
        .choices([...SEVERITIES, 'none'])
        .default('none'),
    )
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Examples:
  vigil report                                              every cluster in the default store
  vigil report --store postgres://vigil@db/vigil            a fleet's shared store
  vigil report --store postgres://… --cluster prod-eu       one cluster in full
  vigil report --store postgres://… --compare --cluster staging,prod --fail-on high
                                                            fail CI when staging and prod differ on a high finding
  vigil report -f markdown -o fleet.md --since 7d

Exit codes: 0 done, 1 open findings (or drift with --compare) at or above --fail-on, 2 usage error.
See docs/fleet.md.`,
    )
    .action(async (flags: ReportFlags) => {
      const at = now();
      const since = parseSince(flags.since, at);
      if (since === undefined) {
        throw new UsageError(`--since "${flags.since}" is neither a duration nor a time`, { hint: 'Use 24h, 7d or an ISO 8601 time.' });
      }
      const limit = positiveLimit(flags.limit);
      const store = await openStore(flags.store, { dataDir: flags.dataDir, cwd: io.cwd, mustExist: true });
      try {
        const known = await store.clusters();
        const asked = [...new Set(flags.cluster)];
        const unknown = asked.filter((c) => !known.includes(c));
        if (unknown.length > 0) {
          throw new UsageError(`unknown cluster ${unknown.map((c) => `"${c}"`).join(', ')} in ${store.kind} store ${store.location}`, {
            hint: known.length === 0 ? 'The store holds no clusters yet.' : `The store holds: ${known.join(', ')}.`,
          });
        }
        const selected = asked.length > 0 ? asked : known;
        const color = flags.color ?? (flags.output === undefined && shouldColor(io.stdout, io.env));
        const textFormat = flags.format === 'markdown' ? 'markdown' : 'text';
        const failOn = flags.failOn;
        const failing = (severities: readonly Severity[]): boolean => failOn !== 'none' && severities.some((s) => isAtLeast(s, failOn));
        let text: string;
        let fail: boolean;
        if (flags.compare === true) {
          if (selected.length < 2) {
            throw new UsageError(
              `--compare needs at least two clusters; ${asked.length > 0 ? 'one was named' : `the store holds ${known.length}`}`,
              {
                hint:
                  known.length >= 2
                    ? `Name two or more with --cluster (the store holds: ${known.join(', ')}).`
                    : 'Compare needs a store that two or more clusters write to.',
              },
            );
          }
          const cmp = await comparisonOf(store, selected, { since, now: at, limit });
          text = flags.format === 'json' ? `${JSON.stringify(cmp, null, 2)}\n` : formatComparison(cmp, textFormat, { color });
          // Every differing finding counts, not only the listed ones.
          fail = failing(SEVERITIES.filter((s) => cmp.drift.bySeverity[s] > 0));
        } else if (asked.length === 1) {
          const detail = await clusterDetailOf(store, selected[0] as string, { since, now: at, limit });
          text = flags.format === 'json' ? `${JSON.stringify(detail, null, 2)}\n` : formatClusterDetail(detail, textFormat, { color });
          fail = failing(SEVERITIES.filter((s) => detail.summary.open.bySeverity[s] > 0));
        } else {
          const fleet = await fleetOf(store, selected, since, at);
          text = flags.format === 'json' ? `${JSON.stringify(fleet, null, 2)}\n` : formatFleet(fleet, textFormat, { color });
          fail = failing(SEVERITIES.filter((s) => fleet.clusters.some((c) => c.open.bySeverity[s] > 0)));
        }
        emit(io, text, flags.output);
        setExit(fail ? EXIT.findings : EXIT.ok);
      } finally {
        await store.close();
      }
    });
}
