import { writeFileSync } from 'node:fs';

import { Command, Option } from 'commander';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

import { isLoopback } from '../audit/receiver/receiver.js';
import { alertJson, alertLine, closeAll, PrometheusSink, scrapedCounter, sendToAll } from '../audit/sinks/index.js';
import type { Alert, AlertSink } from '../core/alert.js';
import { describeError, UsageError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import { isAtLeast, SEVERITIES, type Severity } from '../core/severity.js';
import { TOOL } from '../core/version.js';
import { Inventory } from '../inventory/inventory.js';
import { createStyle, shouldColor } from '../report/colors.js';
import { RuntimeContext } from '../runtime/context.js';
import { correlate } from '../runtime/correlate.js';
import { FalcoReceiver } from '../runtime/receiver.js';
import { scanFalcoAlerts, type RuntimeScanResult } from '../runtime/scan.js';
import { runtimeAlertText } from '../runtime/text.js';
import { readCluster } from '../sources/cluster.js';
import { loadInputs } from '../sources/load-inputs.js';
import { stdinOf, sinksFromFlags, withSinkFlags, type SinkFlags } from './audit-scan.js';
import { receiverTokens, tlsOptionOf } from './audit-serve.js';
import { addClusterOptions, kubeApiOf, type ClusterFlags } from './cluster-options.js';
import { EXIT, type CliIo } from './io.js';

interface InventoryFlags extends ClusterFlags {
  manifests: string[];
  cluster?: boolean;
}

interface ScanFlags extends InventoryFlags, SinkFlags {
  format: 'text' | 'json';
  failOn: Severity | 'none';
  follow?: boolean;
  fromStart?: boolean;
  clusterName?: string;
  color?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function withInventoryFlags(command: Command): Command {
  command
    .option('--manifests <path>', 'Kubernetes manifests (files, folders, globs) describing the cluster (repeatable)', collect, [])
    .option('--cluster', 'read the live cluster of the kubeconfig for context (metadata only for Secrets)');
  return addClusterOptions(command);
}

/** The context the flags ask for: manifests, the live cluster, or none (alerts keep Falco's priority). */
async function contextFromFlags(io: CliIo, flags: InventoryFlags): Promise<RuntimeContext | undefined> {
  if (flags.cluster === true && flags.manifests.length > 0) throw new UsageError('give --manifests or --cluster, not both');
  if (flags.cluster === true) {
    const read = await readCluster(kubeApiOf(flags));
    for (const p of read.problems.filter((x) => x.level === 'error').slice(0, 20))
      io.stderr.write(`vigil: cluster: ${formatSourceLocation(p.location)}: ${p.message}\n`);
    const { inventory } = Inventory.from(read.objects);
    io.stderr.write(`vigil: context: ${read.objects.length} objects from the cluster, ${inventory.podTemplates().length} workloads\n`);
    return new RuntimeContext(inventory);
  }
  if (flags.manifests.length === 0) {
    io.stderr.write('vigil: no --manifests or --cluster: alerts keep Falco’s priority, without workload context\n');
    return undefined;
  }
  const loaded = await loadInputs(flags.manifests, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
  const missing = loaded.problems.find((p) => p.code === 'not-found');
  if (missing !== undefined) throw new UsageError(`--manifests: ${missing.location.file} not found`);
  for (const p of loaded.problems.filter((x) => x.level === 'error').slice(0, 20))
    io.stderr.write(`vigil: manifests: ${formatSourceLocation(p.location)}: ${p.message}\n`);
  const { inventory } = Inventory.from(loaded.objects);
  io.stderr.write(`vigil: context: ${loaded.objects.length} objects, ${inventory.podTemplates().length} workloads\n`);
  return new RuntimeContext(inventory);
}

/** Runtime alerts for people, or as JSON lines, on a stream. */
class RuntimeStreamSink implements AlertSink {
  readonly name = 'stdout';
  constructor(
    private readonly io: CliIo,
    private readonly format: 'text' | 'json',
    private readonly decorate: (alert: Alert, text: string) => string,
  ) {}
  send(alerts: readonly Alert[]): Promise<void> {
    let text = '';
    for (const alert of alerts) text += this.format === 'json' ? alertLine(alert) : `${runtimeAlertText(alert, this.decorate)}\n`;
    if (text !== '') this.io.stdout.write(text);
    return Promise.resolve();
  }
}

/** The summary line for stderr. */
export function runtimeSummary(result: RuntimeScanResult): string {
  const { counts, moved } = result;
  const sev = SEVERITIES.filter((s) => result.alertsBySeverity[s] > 0).map((s) => `${result.alertsBySeverity[s]} ${s}`);
  return `vigil: ${counts.alerts} Falco alert(s) from ${counts.files} file(s)${counts.malformed > 0 ? `, ${counts.malformed} malformed line(s) skipped` : ''}${sev.length > 0 ? ` (${sev.join(', ')})` : ''}; ${result.placed} placed in a workload; severity raised on ${moved.raised}, lowered on ${moved.lowered}, kept on ${moved.kept}\n`;
}

function runtimeScanCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = withSinkFlags(
    withInventoryFlags(
      new Command('scan')
        .summary('place Falco alerts in context: workload, exposure, permissions; adjust their severity')
        .description(
          'Read Falco JSON alerts (json_output: true; files, folders of rotated files, .gz, - for stdin), find the workload of each alert’s pod in the manifests or the live cluster, and raise or lower its severity from that workload’s Pod Security level, exposure and service-account permissions, with the reasons.',
        )
        .argument('<files...>', 'Falco JSON output files, folders, or - for stdin'),
    ),
  )
    .addOption(
      new Option('-f, --format <format>', 'text for people; json for one document (one alert per line with --follow)')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when an alert at or above this severity (after adjustment) is raised')
        .choices([...SEVERITIES, 'none'])
        .default('none'),
    )
    .option('--follow', 'keep reading the (single) file as it grows, across rotation, until interrupted')
    .option('--from-start', 'with --follow, read the file from its start instead of only new lines')
    .option('--cluster-name <name>', 'cluster name to put on alerts')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Examples:
  vigil runtime scan /var/log/falco/events.json --manifests k8s/
  kubectl logs -n falco ds/falco | vigil runtime scan - --cluster --format json
  vigil runtime scan events.json --cluster --follow --slack-webhook "$SLACK_URL"

Exit codes: 0 ran, 1 an alert at or above --fail-on, 2 usage error or no readable Falco alert at all.`,
    )
    .action(async (files: string[], flags: ScanFlags) => {
      if (flags.follow === true && (files.length !== 1 || files[0] === '-')) throw new UsageError('--follow takes exactly one file');
      if (flags.manifests.includes('-') && files.includes('-'))
        throw new UsageError('stdin can hold the alerts or the manifests, not both');
      const context = await contextFromFlags(io, flags);
      const style = createStyle((flags.color ?? shouldColor(io.stdout, io.env)) && flags.format === 'text');
      const decorate = (a: Alert, t: string): string => style.severity(a.severity, t);
      const { sinks, prometheus } = sinksFromFlags(io, flags);
      const document = flags.format === 'json' && flags.follow !== true;
      const collected: Alert[] = [];
      const out: AlertSink = document
        ? {
            name: 'document',
            send: (alerts) => {
              collected.push(...alerts);
              return Promise.resolve();
            },
          }
        : new RuntimeStreamSink(io, flags.format, decorate);
      let worst: Severity | undefined;
      const failGate: AlertSink = {
        name: 'fail-on',
        send: (alerts) => {
          for (const a of alerts) if (worst === undefined || isAtLeast(a.severity, worst)) worst = a.severity;
          return Promise.resolve();
        },
      };
      const problems: unknown[] = [];
      let shown = 0;
      const controller = new AbortController();
      const stop = (): void => {
        controller.abort();
      };
      if (flags.follow === true) {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      let result: RuntimeScanResult;
      try {
        result = await scanFalcoAlerts(files, {
          ...(context === undefined ? {} : { context }),
          sinks: [out, failGate, ...sinks],
          ...(flags.clusterName === undefined ? {} : { cluster: flags.clusterName }),
          ...(flags.follow === true
            ? { follow: { signal: controller.signal, ...(flags.fromStart === true ? { fromStart: true } : {}) } }
            : {}),
          ...(io.readStdin === undefined ? {} : { stdin: stdinOf(io.readStdin) }),
          onProblem: (p) => {
            problems.push(p);
            if (shown++ < 20) io.stderr.write(`vigil: ${formatSourceLocation(p.location)}: ${p.message}\n`);
          },
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (shown > 20) io.stderr.write(`vigil: … and ${shown - 20} more malformed input(s)\n`);
      if (document) {
        io.stdout.write(
          `${JSON.stringify(
            {
              tool: { name: TOOL.name, version: TOOL.version },
              summary: {
                files: result.counts.files,
                lines: result.counts.lines,
                alerts: result.counts.alerts,
                malformed: result.counts.malformed,
                placed: result.placed,
                bySeverity: result.alertsBySeverity,
                ...result.moved,
              },
              alerts: collected.map(alertJson),
              problems,
            },
            null,
            2,
          )}\n`,
        );
      }
      const failures = [...result.deliveryFailures, ...(await closeAll(sinks))];
      if (prometheus !== undefined && flags.metricsFile !== undefined) {
        try {
          writeFileSync(flags.metricsFile, await prometheus.metrics());
        } catch (err: unknown) {
          failures.push({ sink: `metrics file ${flags.metricsFile}`, error: err });
        }
      }
      for (const f of failures) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
      io.stderr.write(runtimeSummary(result));
      if (result.notFound > 0 || (result.counts.alerts === 0 && flags.follow !== true)) {
        if (result.counts.alerts === 0)
          io.stderr.write(
            'vigil: no readable Falco alert in the input (exit 2)\n  hint: Falco must write JSON (json_output: true); a job that reads nothing should fail, not pass.\n',
          );
        setExit(EXIT.usage);
        return;
      }
      setExit(flags.failOn !== 'none' && worst !== undefined && isAtLeast(worst, flags.failOn) ? EXIT.findings : EXIT.ok);
    });
  return command;
}

interface ServeFlags extends InventoryFlags, SinkFlags {
  host: string;
  port: string;
  path: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  tokenFile?: string;
  insecureHttp?: boolean;
  queueCapacity: string;
  format: 'text' | 'json';
  clusterName?: string;
  color?: boolean;
}

function runtimeServeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return withSinkFlags(
    withInventoryFlags(
      new Command('serve')
        .summary('receive Falco alerts over HTTP (http_output, falcosidekick webhook) and place them in context')
        .description(
          'An HTTP(S) endpoint for Falco’s http_output and falcosidekick’s webhook output. Authenticates each POST (bearer token, the token as the Basic password, or a client certificate), places the alert in context and sends it to the sinks. Binds to 127.0.0.1 unless told otherwise.',
        ),
    ),
    { metricsFile: false },
  )
    .option('--host <address>', 'address to bind (a non-loopback address requires TLS)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8765')
    .option('--path <path>', 'URL path Falco posts to', '/v1/falco')
    .option('--tls-cert <file>', 'serving certificate (PEM)')
    .option('--tls-key <file>', 'serving key (PEM)')
    .option('--client-ca <file>', 'accept client certificates signed by this CA (Falco http_output.mtls)')
    .option('--token-file <file>', 'tokens to accept, one per line (or set VIGIL_RECEIVER_TOKEN)')
    .option('--insecure-http', 'serve plain HTTP (only on a loopback address)')
    .option('--queue-capacity <alerts>', 'alerts that may wait for processing before requests are held back', '10000')
    .addOption(new Option('-f, --format <format>', 'alert output on stdout').choices(['text', 'json']).default('text'))
    .option('--cluster-name <name>', 'cluster name to put on alerts')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Falco (falco.yaml), token as the Basic password since http_output cannot set headers:
  http_output: { enabled: true, url: "https://vigil:TOKEN@vigil.falco.svc:8765/v1/falco", ca_cert: /etc/vigil/ca.crt }
falcosidekick (values): webhook.address=https://vigil.falco.svc:8765/v1/falco, webhook.customheaders="Authorization:Bearer TOKEN"

Endpoints: POST <path> (one Falco JSON alert, or an array), GET /metrics (authenticated), GET /healthz.`,
    )
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${flags.port}"`);
      const capacity = Number(flags.queueCapacity);
      if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError('--queue-capacity must be a positive number of alerts');
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
      const tlsOn = flags.tlsCert !== undefined;
      if (!tlsOn && flags.insecureHttp !== true)
        throw new UsageError('give --tls-cert and --tls-key (or --insecure-http on a loopback address, for testing)');
      if (!tlsOn && !isLoopback(flags.host))
        throw new UsageError(`plain HTTP is refused on ${flags.host}: a receiver reachable from the network needs TLS`);
      if (flags.clientCa !== undefined && !tlsOn) throw new UsageError('--client-ca needs TLS (--tls-cert, --tls-key)');
      const tokens = receiverTokens(io, flags.tokenFile);
      if (tokens.length === 0 && flags.clientCa === undefined)
        throw new UsageError('the receiver needs authentication: --token-file (or VIGIL_RECEIVER_TOKEN) and/or --client-ca');
      const context = await contextFromFlags(io, flags);
      const registry = new Registry();
      collectDefaultMetrics({ register: registry, prefix: 'vigil_runtime_receiver_' });
      const style = createStyle((flags.color ?? shouldColor(io.stdout, io.env)) && flags.format === 'text');
      const { sinks } = sinksFromFlags(io, { jsonl: flags.jsonl, webhook: flags.webhook, slackWebhook: flags.slackWebhook });
      const allSinks = [
        new RuntimeStreamSink(io, flags.format, (a, t) => style.severity(a.severity, t)),
        new PrometheusSink(registry),
        ...sinks,
      ];
      let problems = 0;
      const receiver = new FalcoReceiver({
        host: flags.host,
        port,
        path: flags.path,
        ...tlsOptionOf(flags),
        tokens,
        queueCapacity: capacity,
        handle: async (alerts) => {
          const out = alerts.map((a) => correlate(a, context, flags.clusterName === undefined ? {} : { cluster: flags.clusterName }));
          for (const f of await sendToAll(allSinks, out)) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
        },
        onProblem: (p) => {
          if (problems++ < 100) io.stderr.write(`vigil: ${formatSourceLocation(p.location)}: ${p.message}\n`);
        },
        metrics: () => registry.metrics(),
      });
      const stats = receiver.stats;
      for (const [name, help, read] of [
        ['vigil_runtime_alerts_accepted_total', 'Falco alerts accepted.', () => stats.eventsAccepted],
        ['vigil_runtime_alerts_processed_total', 'Falco alerts placed in context and sent to the sinks.', () => stats.eventsProcessed],
        ['vigil_runtime_items_malformed_total', 'Posted items that were not Falco alerts.', () => stats.itemsMalformed],
        ['vigil_runtime_requests_busy_total', 'Requests answered 429 (Falco does not retry them).', () => stats.batchesBusy],
        ['vigil_runtime_unauthorized_total', 'Requests refused for authentication.', () => stats.unauthorized],
      ] as const)
        scrapedCounter(registry, name, help, read);
      new Gauge({
        name: 'vigil_runtime_queue_alerts',
        help: 'Falco alerts waiting to be processed.',
        registers: [registry],
        collect() {
          this.set(stats.queued);
        },
      });
      const address = await receiver.listen();
      io.stderr.write(`vigil: receiving Falco alerts on ${tlsOn ? 'https' : 'http'}://${address.host}:${address.port}${flags.path}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      io.stderr.write('vigil: stopping: finishing the alerts already accepted\n');
      await receiver.close();
      for (const f of await closeAll(sinks)) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
      io.stderr.write(
        `vigil: ${stats.eventsAccepted} Falco alerts accepted, ${stats.eventsProcessed} processed; ${stats.batchesBusy} refused busy, ${stats.itemsMalformed} malformed, ${stats.unauthorized} unauthorized requests\n`,
      );
      setExit(EXIT.ok);
    });
}

/** `vigil runtime`: Falco's runtime alerts placed in the context of the cluster's posture. */
export function runtimeCommand(io: CliIo, setExit: (code: number) => void): Command {
  const runtime = new Command('runtime')
    .summary('place Falco runtime alerts in context (workload, exposure, permissions) and adjust their severity')
    .description(
      'Runtime detection in context: Vigil does not trace syscalls; it reads Falco’s alerts and tells you which workload each hit, how exposed and how privileged it is, and what its service account can do.',
    );
  for (const sub of [runtimeScanCommand(io, setExit), runtimeServeCommand(io, setExit)]) {
    runtime.addCommand(sub.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  }
  return runtime;
}
