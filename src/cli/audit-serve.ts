import { readFileSync } from 'node:fs';

import { Command, Option } from 'commander';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

import type { ContextHolder } from '../audit/cel.js';
import { DetectionEngine } from '../audit/engine.js';
import { AuditReceiver, isLoopback } from '../audit/receiver/receiver.js';
import { webhookKubeconfig } from '../audit/receiver/kubeconfig.js';
import { PrometheusSink, StreamSink, closeAll, scrapedCounter, sendToAll } from '../audit/sinks/index.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import { createStyle, shouldColor } from '../report/colors.js';
import { loadContextForCli, loadRulesForCli, withRuleFlags, type RuleFlags } from './audit-rules.js';
import { sinksFromFlags, withSinkFlags, type SinkFlags } from './audit-scan.js';
import { EXIT, mebibytes, type CliIo } from './io.js';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { AuditPublisher } from '../pipeline/publisher.js';
import { connectNats, ensureAuditStream, jetstreamManager, natsServers } from '../pipeline/nats.js';
import { subjectOf } from '../pipeline/partition.js';
import { defaultClusterName, natsOptionsOf, partitionsOf, withNatsFlags, type NatsFlags } from './pipeline-options.js';

interface ServeFlags extends RuleFlags, SinkFlags, NatsFlags {
  publish?: string;
  host: string;
  port: string;
  path: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  tokenFile?: string;
  insecureHttp?: boolean;
  queueCapacity: string;
  maxBodySize?: number;
  publicUrl?: string;
  caFile?: string;
  printKubeconfig?: boolean;
  format: 'text' | 'json';
  throttle: boolean;
  cluster?: string;
  color?: boolean;
}

export function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${what} ${path}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * The `tls` option of a receiver from its certificate, key and client-CA files (none when no
 * certificate is given; callers check that the flags go together). Shared by every receiver command.
 */
export function tlsOptionOf(files: {
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly clientCa?: string | undefined;
}): { tls?: { cert: Buffer; key: Buffer; clientCA?: Buffer } } {
  if (files.tlsCert === undefined || files.tlsKey === undefined) return {};
  return {
    tls: {
      cert: readFile(files.tlsCert, 'certificate'),
      key: readFile(files.tlsKey, 'key'),
      ...(files.clientCa === undefined ? {} : { clientCA: readFile(files.clientCa, 'client CA') }),
    },
  };
}

/** Bearer tokens: one per line of the token file, or VIGIL_RECEIVER_TOKEN. Shared with `vigil monitor --audit-webhook`. */
export function receiverTokens(io: CliIo, tokenFile: string | undefined): string[] {
  const tokens: string[] = [];
  if (tokenFile !== undefined)
    tokens.push(
      ...readFile(tokenFile, 'token file')
        .toString('utf8')
        .split(/\r?\n/)
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    );
  const env = io.env.VIGIL_RECEIVER_TOKEN;
  if (env !== undefined && env.trim() !== '') tokens.push(env.trim());
  if (tokens.some((t) => t.length < 16)) throw new UsageError('receiver tokens must be at least 16 characters long');
  return tokens;
}

export function auditServeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return withNatsFlags(
    withSinkFlags(
      withRuleFlags(
        new Command('serve')
          .summary('receive audit events from the API server webhook backend and run the rules live')
          .description(
            'An HTTPS endpoint for kube-apiserver --audit-webhook-config-file: receives EventList batches, authenticates them (bearer token or client certificate), runs the detection rules and sends alerts to the sinks. Binds to 127.0.0.1 unless told otherwise.',
          ),
      ),
      { metricsFile: false },
    ),
  )
    .option(
      '--publish <url>',
      'publish each accepted batch to NATS JetStream (nats://host:4222) before answering 200, for `vigil audit work` workers, instead of running the rules here',
    )
    .option('--host <address>', 'address to bind (a non-loopback address requires TLS)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8443')
    .option('--path <path>', 'URL path the API server posts to', '/v1/audit')
    .option('--tls-cert <file>', 'serving certificate (PEM)')
    .option('--tls-key <file>', 'serving key (PEM)')
    .option('--client-ca <file>', 'accept client certificates signed by this CA (mutual TLS)')
    .option('--token-file <file>', 'bearer tokens to accept, one per line (or set VIGIL_RECEIVER_TOKEN)')
    .option('--insecure-http', 'serve plain HTTP (only on a loopback address; for local testing)')
    .option(
      '--queue-capacity <events>',
      'events that may wait for processing before batches are held back and then refused with 429',
      '50000',
    )
    .option('--max-body-size <MiB>', 'largest batch accepted (default 64)', mebibytes)
    .option('--public-url <url>', 'URL the API server reaches the receiver at (for --print-kubeconfig)')
    .option('--ca-file <file>', 'CA of the serving certificate, as the API server should trust it (for --print-kubeconfig)')
    .option('--print-kubeconfig', 'print the kubeconfig for --audit-webhook-config-file and exit')
    .addOption(new Option('-f, --format <format>', 'alert output on stdout').choices(['text', 'json']).default('text'))
    .option('--no-throttle', 'show every alert')
    .option('--cluster <name>', 'cluster name to put on alerts')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Examples:
  vigil audit serve --tls-cert tls.crt --tls-key tls.key --token-file token --print-kubeconfig \\
      --public-url https://vigil.kube-system.svc:8443/v1/audit --ca-file /etc/vigil/ca.crt > audit-webhook.yaml
  vigil audit serve --host 0.0.0.0 --tls-cert tls.crt --tls-key tls.key --token-file token --slack-webhook "$SLACK_URL"

Endpoints: POST <path> (EventList), GET /metrics (authenticated, Prometheus), GET /healthz.
Under load a batch waits for room in the queue, then is answered 429 with Retry-After, which the API
server's webhook backend retries with backoff: accepted events are never dropped.`,
    )
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${flags.port}"`);
      const capacity = Number(flags.queueCapacity);
      if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError('--queue-capacity must be a positive number of events');
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
      const publicUrl =
        flags.publicUrl ??
        `${tlsOn ? 'https' : 'http'}://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}${flags.path}`;
      if (flags.printKubeconfig === true) {
        io.stdout.write(
          webhookKubeconfig({
            server: publicUrl,
            ...(flags.caFile === undefined ? {} : { certificateAuthority: flags.caFile }),
            ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
            ...(flags.clientCa === undefined
              ? {}
              : { clientCertificate: '/path/to/apiserver-client.crt', clientKey: '/path/to/apiserver-client.key' }),
          }),
        );
        if (flags.tokenFile === undefined && tokens.length > 0)
          io.stderr.write(
            'vigil: the token came from VIGIL_RECEIVER_TOKEN: write it to a file and add tokenFile: to the user in this kubeconfig\n',
          );
        setExit(EXIT.ok);
        return;
      }

      let nc: NatsConnection | undefined;
      let publisher: AuditPublisher | undefined;
      const cluster = flags.publish === undefined ? flags.cluster : (flags.cluster ?? defaultClusterName(io));
      if (flags.publish !== undefined) {
        natsServers(flags.publish, '--publish');
        const partitions = partitionsOf(flags);
        nc = await connectNats(natsOptionsOf(flags, flags.publish, `vigil-receiver ${cluster ?? ''}`));
        await ensureAuditStream(await jetstreamManager(nc));
        publisher = new AuditPublisher(jetstream(nc), cluster as string, partitions);
        io.stderr.write(
          `vigil: publishing accepted batches to JetStream on ${subjectOf(cluster as string, 0).replace(/\.0$/, '')}.<0-${partitions - 1}>\n`,
        );
      }
      const holder: ContextHolder = {};
      await loadContextForCli(io, flags.context, holder);
      const rules = loadRulesForCli(io, flags, holder);
      const engine = new DetectionEngine(rules, {
        holder,
        throttle: flags.throttle,
        ...(cluster === undefined ? {} : { cluster }),
      });
      const registry = new Registry();
      collectDefaultMetrics({ register: registry, prefix: 'vigil_receiver_' });
      const prometheus = new PrometheusSink(registry);
      const style = createStyle((flags.color ?? shouldColor(io.stdout, io.env)) && flags.format === 'text');
      const { sinks } = sinksFromFlags(io, { jsonl: flags.jsonl, webhook: flags.webhook, slackWebhook: flags.slackWebhook });
      const allSinks = [new StreamSink(io.stdout, flags.format, (a, t) => style.severity(a.severity, t)), prometheus, ...sinks];
      let problems = 0;
      const receiver = new AuditReceiver({
        host: flags.host,
        port,
        path: flags.path,
        ...tlsOptionOf(flags),
        tokens,
        queueCapacity: capacity,
        ...(flags.maxBodySize === undefined ? {} : { maxBodyBytes: flags.maxBodySize }),
        ...(publisher === undefined
          ? {}
          : {
              accept: (events) => publisher.publish(events),
              onAcceptError: (err: unknown) => {
                io.stderr.write(`vigil: publishing to JetStream failed (the batch was answered 503): ${describeError(err)}\n`);
              },
            }),
        handle: async (events) => {
          if (publisher !== undefined) return;
          const alerts = [];
          for (const event of events) alerts.push(...engine.process(event));
          for (const f of await sendToAll(allSinks, alerts))
            io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
        },
        onProblem: (p) => {
          if (problems++ < 100) io.stderr.write(`vigil: ${formatSourceLocation(p.location)}: ${p.message}\n`);
        },
        metrics: () => registry.metrics(),
      });
      const stats = receiver.stats;
      const counter = (name: string, help: string, read: () => number): void => {
        scrapedCounter(registry, name, help, read);
      };
      counter('vigil_audit_batches_accepted_total', 'EventList batches accepted.', () => stats.batchesAccepted);
      counter('vigil_audit_events_accepted_total', 'Audit events accepted.', () => stats.eventsAccepted);
      counter('vigil_audit_events_processed_total', 'Audit events run through the rules.', () => stats.eventsProcessed);
      counter('vigil_audit_items_malformed_total', 'Batch items that were not audit events.', () => stats.itemsMalformed);
      counter(
        'vigil_audit_batches_busy_total',
        'Batches answered 429 (not accepted; the API server retries them).',
        () => stats.batchesBusy,
      );
      if (publisher !== undefined) {
        const published = publisher.stats;
        counter('vigil_audit_published_messages_total', 'Messages published to JetStream and acknowledged.', () => published.messages);
        counter('vigil_audit_published_events_total', 'Events published to JetStream and acknowledged.', () => published.events);
        counter(
          'vigil_audit_publish_duplicates_total',
          'Re-sent messages JetStream recognised (same id) and kept once.',
          () => published.duplicates,
        );
        counter(
          'vigil_audit_batches_unavailable_total',
          'Batches answered 503 because publishing failed (the API server retries them).',
          () => stats.batchesUnavailable,
        );
      }
      counter('vigil_audit_unauthorized_total', 'Requests refused for authentication.', () => stats.unauthorized);
      new Gauge({
        name: 'vigil_audit_queue_events',
        help: 'Events waiting to be processed.',
        registers: [registry],
        collect() {
          this.set(stats.queued);
        },
      });
      const address = await receiver.listen();
      io.stderr.write(
        `vigil: receiving audit events on ${tlsOn ? 'https' : 'http'}://${address.host}:${address.port}${flags.path} with ${rules.length} rules (${tokens.length > 0 ? 'bearer token' : ''}${tokens.length > 0 && flags.clientCa !== undefined ? ' or ' : ''}${flags.clientCa === undefined ? '' : 'client certificate'})\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      io.stderr.write('vigil: stopping: finishing the events already accepted\n');
      await receiver.close();
      await nc?.drain().catch(() => undefined);
      for (const f of await closeAll(sinks)) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
      io.stderr.write(
        `vigil: ${stats.eventsAccepted} events accepted in ${stats.batchesAccepted} batches, ${stats.eventsProcessed} processed, ${publisher === undefined ? `${engine.stats.alerts} alerts` : `${publisher.stats.events} published`}; ${stats.batchesBusy} batches refused busy (retried by the API server), ${stats.itemsMalformed} malformed items, ${stats.unauthorized} unauthorized requests\n`,
      );
      setExit(EXIT.ok);
    });
}
