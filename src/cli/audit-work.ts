import { Command } from 'commander';
import Fastify from 'fastify';

import type { ContextHolder } from '../audit/cel.js';
import { parseDuration } from '../audit/duration.js';
import { DetectionEngine } from '../audit/engine.js';
import { isLoopback } from '../audit/receiver/receiver.js';
import { closeAll } from '../audit/sinks/index.js';
import { describeError, UsageError } from '../core/errors.js';
import { workerRegistry } from '../pipeline/metrics.js';
import { connectNats, natsServers } from '../pipeline/nats.js';
import { AuditWorker } from '../pipeline/worker.js';
import { openStore } from '../store/open-store.js';
import { loadContextForCli, loadRulesForCli, withRuleFlags, type RuleFlags } from './audit-rules.js';
import { sinksFromFlags, withSinkFlags, type SinkFlags } from './audit-scan.js';
import { EXIT, type CliIo } from './io.js';
import { defaultClusterName, natsOptionsOf, partitionsOf, withNatsFlags, type NatsFlags } from './pipeline-options.js';

interface WorkFlags extends RuleFlags, SinkFlags, NatsFlags {
  consume: string;
  cluster?: string;
  store?: string;
  dataDir: string;
  workerId?: string;
  lease: string;
  replayHorizon?: string;
  batch: string;
  throttle: boolean;
  metricsListen?: string;
}

function hostPort(text: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port > 65535) throw new UsageError(`--metrics-listen needs host:port, got "${text}"`);
  return { host: match[1] as string, port };
}

/** `vigil audit work`: a detection worker of the audit pipeline (NATS JetStream). */
export function auditWorkCommand(io: CliIo, setExit: (code: number) => void): Command {
  return withNatsFlags(
    withSinkFlags(
      withRuleFlags(
        new Command('work')
          .summary('run detection on audit events from NATS JetStream, as one worker of a group')
          .description(
            'A detection worker of the audit pipeline: takes a share of the partitions of the audit stream that `vigil audit serve --publish` fills, runs the rules, stores alerts (the store keeps each alert once, by its id) and acknowledges events only after their alerts are stored. Rules whose state is not keyed by the acting identity run on one extra lane that reads the whole stream. Workers share the lanes among themselves and take over those of a worker that stops or dies, rebuilding their rule state from the stream; other sinks are notified from the store, once per alert.',
          ),
      ),
      { metricsFile: false },
    ),
  )
    .requiredOption('--consume <url>', 'NATS server(s) with JetStream, e.g. nats://127.0.0.1:4222 (comma-separated for several)')
    .option('--cluster <name>', 'cluster whose audit stream to consume (default: the kubeconfig context, or "default")')
    .option('--store <url>', 'postgres://… (shared by the workers) or a SQLite file (default: <data-dir>/vigil.db)')
    .option('--data-dir <dir>', 'folder for the embedded SQLite store', '.vigil-data')
    .option('--worker-id <id>', 'name of this worker in the group (default: host, pid and a random suffix)')
    .option('--lease <duration>', 'partition lease: a dead worker’s partitions move after at most this (all workers must agree)', '10s')
    .option(
      '--replay-horizon <duration>',
      'how much stream history rebuilds a moved partition (default: the rules’ longest window plus 5m; all retained history with first-seen rules)',
    )
    .option('--batch <n>', 'messages fetched at a time per partition', '64')
    .option('--no-throttle', 'store every alert')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics and /healthz here (loopback only)')
    .addHelpText(
      'after',
      `
Examples:
  vigil audit serve --publish nats://nats:4222 --cluster prod-eu --tls-cert tls.crt --tls-key tls.key --token-file token
  vigil audit work --consume nats://nats:4222 --cluster prod-eu --store postgres://vigil@db/vigil --metrics-listen 127.0.0.1:9466

See docs/fleet.md for the layout and when it is worth it.`,
    )
    .action(async (flags: WorkFlags) => {
      natsServers(flags.consume, '--consume');
      const partitions = partitionsOf(flags);
      const leaseMs = parseDuration(flags.lease);
      if (leaseMs === undefined || leaseMs < 1000) throw new UsageError(`--lease must be a duration of at least 1s, got "${flags.lease}"`);
      const horizon = flags.replayHorizon === undefined ? undefined : parseDuration(flags.replayHorizon);
      if (flags.replayHorizon !== undefined && horizon === undefined)
        throw new UsageError(`--replay-horizon must be a duration (30m, 2h), got "${flags.replayHorizon}"`);
      const batch = Number(flags.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UsageError('--batch must be from 1 to 10000');
      const listen = flags.metricsListen === undefined ? undefined : hostPort(flags.metricsListen);
      if (listen !== undefined && !isLoopback(listen.host))
        throw new UsageError(`--metrics-listen: refusing to serve metrics on ${listen.host}`, {
          hint: 'Bind to loopback and let a sidecar or the node’s agent scrape it.',
        });
      const cluster = flags.cluster ?? defaultClusterName(io);
      const holder: ContextHolder = {};
      await loadContextForCli(io, flags.context, holder);
      const rules = loadRulesForCli(io, flags, holder);
      const store = await openStore(flags.store, { dataDir: flags.dataDir });
      const { sinks } = sinksFromFlags(io, { jsonl: flags.jsonl, webhook: flags.webhook, slackWebhook: flags.slackWebhook });
      const nc = await connectNats(natsOptionsOf(flags, flags.consume, `vigil-work ${cluster}`));
      const worker = new AuditWorker({
        nc,
        cluster,
        partitions,
        rules,
        throttle: flags.throttle,
        engine: (laneRules, learningStart) =>
          new DetectionEngine(laneRules, {
            holder,
            throttle: flags.throttle,
            cluster,
            ...(learningStart === undefined ? {} : { learningStart }),
          }),
        store,
        sinks,
        leaseMs,
        ...(horizon === undefined ? {} : { replayHorizonMs: horizon }),
        ...(flags.workerId === undefined ? {} : { workerId: flags.workerId }),
        batch,
        log: (line) => io.stderr.write(`vigil: worker: ${line}\n`),
      });
      await worker.start();
      let closeMetrics: (() => Promise<void>) | undefined;
      if (listen !== undefined) {
        const registry = workerRegistry(worker.stats, worker.id, cluster);
        const app = Fastify({ logger: false });
        app.get('/healthz', (_req, reply) => {
          void reply.type('text/plain').send('ok\n');
        });
        app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
        await app.listen({ host: listen.host, port: listen.port });
        const address = app.server.address();
        io.stderr.write(
          `vigil: worker metrics on http://${listen.host}:${typeof address === 'object' && address !== null ? address.port : listen.port}/metrics\n`,
        );
        closeMetrics = () => app.close();
      }
      io.stderr.write(
        `vigil: worker ${worker.id} consuming cluster "${cluster}" (${partitions} partitions) with ${rules.length} rules into ${store.kind} ${store.location}\n`,
      );
      const globals = worker.split.global;
      if (globals.length > 0)
        io.stderr.write(
          `vigil: ${globals.length} rules keep state not keyed by the acting identity and run on the global lane (the whole stream, on one worker at a time): ${globals
            .map((r) => `${r.id} (${worker.split.reasons.get(r.id) ?? ''})`)
            .join(', ')}\n`,
        );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      io.stderr.write('vigil: worker stopping: finishing and acknowledging the batches in hand, releasing partitions\n');
      await worker.stop();
      await nc.drain().catch(() => undefined);
      await closeMetrics?.();
      for (const f of await closeAll(sinks)) io.stderr.write(`vigil: delivery failed: ${f.sink}: ${describeError(f.error)}\n`);
      await store.close();
      const s = worker.stats;
      io.stderr.write(
        `${JSON.stringify({ worker: worker.id, events: s.events, messages: s.messages, globalEvents: s.globalEvents, alertsRaised: s.alertsRaised, alertsStored: s.alertsStored, alertsDuplicate: s.alertsDuplicate, alertsNotified: s.alertsNotified, alertsNotifiedLeftOver: s.alertsNotifiedLeftOver, redeliveries: s.redeliveries, reprocessed: s.reprocessed, replayedEvents: s.replayedEvents, incompleteBatches: s.incompleteBatches, takeovers: s.takeovers, releases: s.releases, leasesLost: s.leasesLost })}\n`,
      );
      setExit(EXIT.ok);
    });
}
