import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import { Command, Option } from 'commander';

import type { ContextHolder } from '../audit/cel.js';
import { scanAuditLogs, type AuditScanResult } from '../audit/scan.js';
import { JsonLinesFileSink, PrometheusSink, slackSink, StreamSink, WebhookSink, closeAll } from '../audit/sinks/index.js';
import type { AlertSink } from '../core/alert.js';
import { describeError, UsageError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { createStyle, shouldColor } from '../report/colors.js';
import { falcoScanNote, loadFalcoRulesForCli, withFalcoFlags, type FalcoFlags } from './audit-falco.js';
import { loadContextForCli, loadRulesForCli, withRuleFlags, type RuleFlags } from './audit-rules.js';
import { EXIT, type CliIo } from './io.js';

/** Sink flags shared by `audit scan` and `audit serve`. */
export interface SinkFlags {
  jsonl?: string | undefined;
  webhook?: string | undefined;
  slackWebhook?: string | undefined;
  metricsFile?: string | undefined;
}

export function withSinkFlags(command: Command, options: { metricsFile?: boolean } = {}): Command {
  command
    .option('--jsonl <file>', 'also append alerts as JSON lines to this file')
    .option('--webhook <url>', 'also POST alerts as JSON ({"alerts": […]}) to this URL; bearer token from VIGIL_WEBHOOK_TOKEN')
    .option('--slack-webhook <url>', 'also post alerts to a Slack-compatible incoming webhook (or set VIGIL_SLACK_WEBHOOK_URL)');
  if (options.metricsFile !== false)
    command.option(
      '--metrics-file <file>',
      'write Prometheus counters (vigil_alerts_total) to this file at the end, for the node_exporter textfile collector',
    );
  return command;
}

/** Build the extra sinks the flags ask for. */
export function sinksFromFlags(io: CliIo, flags: SinkFlags): { sinks: AlertSink[]; prometheus?: PrometheusSink } {
  const sinks: AlertSink[] = [];
  if (flags.jsonl !== undefined) sinks.push(new JsonLinesFileSink(flags.jsonl));
  const token = io.env.VIGIL_WEBHOOK_TOKEN;
  if (flags.webhook !== undefined)
    sinks.push(new WebhookSink(flags.webhook, undefined, token === undefined || token === '' ? {} : { bearerToken: token }));
  const slack = flags.slackWebhook ?? io.env.VIGIL_SLACK_WEBHOOK_URL;
  if (slack !== undefined && slack !== '') sinks.push(slackSink(slack));
  let prometheus: PrometheusSink | undefined;
  if (flags.metricsFile !== undefined) {
    prometheus = new PrometheusSink();
    sinks.push(prometheus);
  }
  return { sinks, ...(prometheus === undefined ? {} : { prometheus }) };
}

interface ScanFlags extends RuleFlags, SinkFlags, FalcoFlags {
  format: 'text' | 'json';
  failOn: Severity | 'none';
  throttle: boolean;
  follow?: boolean;
  fromStart?: boolean;
  cluster?: string;
  color?: boolean;
}

/** The summary line(s) for stderr. */
export function scanSummary(result: AuditScanResult): string {
  const { counts, engine } = result;
  const sev = SEVERITIES.filter((s) => result.alertsBySeverity[s] > 0).map((s) => `${result.alertsBySeverity[s]} ${s}`);
  const lines = [
    `vigil: ${counts.events} events from ${counts.files} file(s)${counts.malformed > 0 ? `, ${counts.malformed} unreadable line(s) skipped` : ''}; ${result.alerts} alert(s)${sev.length > 0 ? ` (${sev.join(', ')})` : ''}`,
  ];
  const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const held = sum(engine.throttled);
  const dup = sum(engine.duplicates);
  if (held > 0 || dup > 0)
    lines.push(
      `vigil: held back ${held} throttled alert(s) and ${dup} duplicate(s) of alerts already raised (--no-throttle shows every one): ${Object.entries(
        engine.throttled,
      )
        .map(([r, n]) => `${r} ${n}`)
        .join(', ')}`,
    );
  const errors = sum(engine.conditionErrors);
  if (errors > 0)
    lines.push(
      `vigil: ${errors} condition evaluation error(s), treated as no match: ${Object.entries(engine.conditionErrors)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ')}`,
    );
  const evicted = sum(engine.stateEvictions);
  if (evicted > 0) lines.push(`vigil: ${evicted} state key(s) evicted (rules kept more keys than their bound)`);
  if (engine.untimedEvents > 0)
    lines.push(`vigil: ${engine.untimedEvents} event(s) without any timestamp (the previous event's time was used)`);
  return `${lines.join('\n')}\n`;
}

/** Standard input as a stream, from the injectable reader of in-process runs. */
export function stdinOf(read: () => Promise<string>): NodeJS.ReadableStream {
  return Readable.from(
    (async function* () {
      yield Buffer.from(await read());
    })(),
  );
}

export function auditScanCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = withSinkFlags(
    withFalcoFlags(
      withRuleFlags(
        new Command('scan')
          .summary('run detection rules over audit logs')
          .description(
            'Read audit logs (JSON lines or EventList batches; files, folders of rotated logs, .gz, - for stdin) and run the detection rules over them.',
          )
          .argument('<logs...>', 'audit log files, folders, or - for stdin'),
      ),
    ),
  )
    .addOption(
      new Option('-f, --format <format>', 'alert output: text for people, json for one alert per line')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when an alert at or above this severity is raised')
        .choices([...SEVERITIES, 'none'])
        .default('none'),
    )
    .option('--no-throttle', 'show every alert (by default alerts of one rule and key are throttled, and the held-back ones counted)')
    .option('--follow', 'keep reading the (single) log file as it grows, across rotation, until interrupted')
    .option('--from-start', 'with --follow, read the file from its start instead of only new lines')
    .option('--cluster <name>', 'cluster name to put on alerts')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Examples:
  vigil audit scan /var/log/kubernetes/audit/            a folder of rotated logs, oldest first
  vigil audit scan audit.log.gz --format json > alerts.jsonl
  vigil audit scan audit.log --rules my-rules.yaml --context k8s/ --fail-on high
  vigil audit scan /var/log/kubernetes/audit.log --follow --slack-webhook "$SLACK_URL"
  vigil audit scan audit.log --falco-rules k8s_audit_rules.yaml --falco-rules my_overrides.yaml --rule-matching first

JSON output is one alert per line: {id, time, rule, source, severity, priority, title, mitre, output,
user, auditID, auditIDs, sourceIPs, resource, fields}. Exit codes: 0 ran, 1 an alert at or above --fail-on,
2 usage error or no readable audit event at all.`,
    )
    .action(async (logs: string[], flags: ScanFlags) => {
      if (flags.follow === true && (logs.length !== 1 || logs[0] === '-')) throw new UsageError('--follow takes exactly one log file');
      const holder: ContextHolder = {};
      await loadContextForCli(io, flags.context, holder);
      const falco = loadFalcoRulesForCli(io, flags);
      const rules = [...loadRulesForCli(io, flags, holder, falco.rules.length), ...falco.rules];
      const color = flags.color ?? shouldColor(io.stdout, io.env);
      const style = createStyle(color && flags.format === 'text');
      const out = new StreamSink(io.stdout, flags.format, (alert, text) => style.severity(alert.severity, text));
      const { sinks, prometheus } = sinksFromFlags(io, flags);
      const controller = new AbortController();
      const stop = (): void => {
        controller.abort();
      };
      if (flags.follow === true) {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      let shown = 0;
      let result: AuditScanResult;
      try {
        result = await scanAuditLogs(logs, {
          rules,
          sinks: [out, ...sinks],
          holder,
          throttle: flags.throttle,
          failOn: flags.failOn,
          ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
          ...(flags.follow === true
            ? { follow: { signal: controller.signal, ...(flags.fromStart === true ? { fromStart: true } : {}) } }
            : {}),
          ...(io.readStdin === undefined ? {} : { stdin: stdinOf(io.readStdin) }),
          onProblem: (p) => {
            if (shown++ < 20) io.stderr.write(`vigil: ${formatSourceLocation(p.location)}: ${p.message}\n`);
          },
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (shown > 20) io.stderr.write(`vigil: … and ${shown - 20} more unreadable input(s)\n`);
      const failures = [...result.deliveryFailures, ...(await closeAll(sinks))];
      if (prometheus !== undefined && flags.metricsFile !== undefined) {
        try {
          writeFileSync(flags.metricsFile, await prometheus.metrics());
        } catch (err: unknown) {
          failures.push({ sink: `metrics file ${flags.metricsFile}`, error: err });
        }
      }
      for (const f of failures) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
      io.stderr.write(scanSummary(result));
      io.stderr.write(falcoScanNote(falco));
      if (result.notFound > 0 || result.counts.events === 0) {
        if (result.counts.events === 0)
          io.stderr.write(
            'vigil: no readable audit event in the input (exit 2)\n  hint: give the file of --audit-log-path (JSON format); a job that scans nothing should fail, not pass.\n',
          );
        setExit(EXIT.usage);
        return;
      }
      setExit(result.failing ? EXIT.findings : EXIT.ok);
    });
  return command;
}
