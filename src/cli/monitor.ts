import { readFileSync } from 'node:fs';

import { Command, Option } from 'commander';

import { isLoopback } from '../audit/receiver/receiver.js';
import { closeAll, StreamSink } from '../audit/sinks/index.js';
import { activeChecks } from '../checks/catalog.js';
import type { AlertSink } from '../core/alert.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { watchCluster, type ClusterFeed } from '../monitor/cluster-feed.js';
import { liveContext, MonitorAuditFeed, type MonitorReceiverOptions } from '../monitor/audit-feed.js';
import { DigestScheduler, parseDigestTime } from '../monitor/digest.js';
import { watchFiles, type FileFeed } from '../monitor/file-feed.js';
import { DEFAULT_HOST, DEFAULT_PORT, startHealthServer, type ListenOptions } from '../monitor/health-server.js';
import { MonitorMetrics } from '../monitor/metrics.js';
import { MonitorRuntimeFeed, type MonitorFalcoReceiverOptions } from '../monitor/runtime-feed.js';
import { Monitor } from '../monitor/monitor.js';
import { dashboardPlugin } from '../server/dashboard-app.js';
import { StoreAwareExceptionMatcher } from '../server/stored-exceptions.js';
import { openStore } from '../store/open-store.js';
import type { RetentionPolicy, Store } from '../store/store.js';
import { loadFalcoRulesForCli, withFalcoFlags, type FalcoFlags } from './audit-falco.js';
import { loadRulesForCli } from './audit-rules.js';
import { sinksFromFlags, withSinkFlags, type SinkFlags } from './audit-scan.js';
import { receiverTokens, tlsOptionOf } from './audit-serve.js';
import { addClusterOptions, kubeApiOf, type ClusterFlags } from './cluster-options.js';
import { EXIT, listOption, type CliIo } from './io.js';
import { loadConfig } from './load-config.js';

interface MonitorFlags extends ClusterFlags, SinkFlags, Pick<FalcoFlags, 'falcoRules' | 'ruleMatching'> {
  namespace?: string;
  clusterName?: string;
  store?: string;
  dataDir: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  alertSeverity: Severity;
  alertsStdout?: boolean;
  alertsFormat: 'json' | 'text';
  alertOnBaseline?: boolean;
  digestAt?: string;
  retentionDays?: number;
  resyncMinutes: number;
  poll: number;
  once?: boolean;
  config?: string;
  only: string[];
  skip: string[];
  annotationExceptions: boolean;
  dashboard: boolean;
  auditLog: string[];
  follow?: boolean;
  fromStart?: boolean;
  auditRules: string[];
  auditWebhook?: boolean;
  auditListen: string;
  auditPath: string;
  auditTlsCert?: string;
  auditTlsKey?: string;
  auditClientCa?: string;
  auditTokenFile?: string;
  auditInsecureHttp?: boolean;
  falcoLog: string[];
  falcoFollow?: boolean;
  falcoListen?: string;
  falcoPath: string;
  falcoTlsCert?: string;
  falcoTlsKey?: string;
  falcoClientCa?: string;
  falcoTokenFile?: string;
  falcoInsecureHttp?: boolean;
}

/** `host:port`, `[::1]:port` or `:port`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new UsageError(`--listen: expected HOST:PORT, got "${value}"`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? DEFAULT_HOST : host, port };
}

function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag}: expected a non-negative number, got "${value}"`);
    return n;
  };
}

export function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${what} ${path}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Wait for SIGINT or SIGTERM (Ctrl-C, `kubectl delete pod`). A second signal while stopping exits at once.
 */
export function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (signal: string): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      process.once('SIGINT', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

export function monitorCommand(io: CliIo, setExit: (code: number) => void, until: () => Promise<string> = untilSignalled): Command {
  const command = new Command('monitor')
    .summary('keep watching a cluster (or manifests): store findings, alert, serve metrics')
    .description(
      'Watch a live cluster (or, given paths, manifests on disk), re-evaluate only what each change can affect, record each finding’s life (first seen, last seen, resolved, reopened) in the store, alert on new and reopened findings, and serve /metrics, /healthz and /readyz.',
    )
    .argument('[paths...]', 'watch these manifests instead of a cluster (re-read every --poll seconds)')
    .option('-n, --namespace <namespace>', 'watch namespaced kinds in this namespace only')
    .option('--cluster-name <name>', 'name of the cluster in the store and alerts (default: the kubeconfig context, or "manifests")')
    .option('--store <url>', 'postgres://… for PostgreSQL, or a SQLite file (default: <data-dir>/vigil.db)')
    .option('--data-dir <dir>', 'folder for the embedded SQLite store', '.vigil-data')
    .option(
      '--listen <host:port>',
      'address of /metrics, /healthz and /readyz (loopback unless TLS and a token are given)',
      `${DEFAULT_HOST}:${DEFAULT_PORT}`,
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--token-file <file>', 'require this bearer token on /metrics and the dashboard API')
    .addOption(
      new Option('--alert-severity <severity>', 'alert on new and reopened findings at or above this').choices(SEVERITIES).default('high'),
    )
    .option('--alerts-stdout', 'write alerts to standard output')
    .addOption(new Option('--alerts-format <format>', 'format of --alerts-stdout').choices(['json', 'text']).default('json'))
    .option('--alert-on-baseline', 'also alert on what the very first evaluation of a new cluster finds')
    .option('--digest-at <HH:MM>', 'send a daily digest through the alert sinks at this UTC time')
    .option(
      '--retention-days <days>',
      'delete resolved findings, alerts and runs older than this (checked hourly)',
      positiveNumber('--retention-days'),
    )
    .option('--resync-minutes <minutes>', 'evaluate everything again this often (0: never)', positiveNumber('--resync-minutes'), 30)
    .option('--poll <seconds>', 'with paths: how often to re-read them (0: once)', positiveNumber('--poll'), 2)
    .option('--once', 'evaluate and store once, print a summary, and exit')
    .option('-c, --config <file>', 'configuration file (default: ./.vigil.yaml when present)')
    .option('--only <checks>', 'run only these check ids or globs', listOption, [])
    .option('--skip <checks>', 'skip these check ids or globs', listOption, [])
    .option('--no-annotation-exceptions', 'ignore vigil.dev/ignore annotations')
    .option('--no-dashboard', 'do not serve the dashboard and its API beside /metrics')
    .option(
      '--audit-log <file>',
      'run the audit detection rules over this audit log (repeatable; replayed once unless --follow)',
      listOption,
      [],
    )
    .option('--follow', 'with --audit-log: keep reading the (single) log as it grows, across rotation')
    .option('--from-start', 'with --follow: read the log from its start instead of only new lines')
    .option('--audit-rules <file>', 'audit rule file(s) to load beside the built-in rules (repeatable)', listOption, [])
    .option('--audit-webhook', 'receive audit events from the API server webhook backend (see docs/audit.md)')
    .option('--audit-listen <host:port>', 'address of the audit receiver (loopback unless TLS is given)', '127.0.0.1:8443')
    .option('--audit-path <path>', 'URL path the API server posts audit events to', '/v1/audit')
    .option('--audit-tls-cert <file>', 'serving certificate of the audit receiver (PEM)')
    .option('--audit-tls-key <file>', 'private key of --audit-tls-cert (PEM)')
    .option('--audit-client-ca <file>', 'accept API server client certificates signed by this CA')
    .option('--audit-token-file <file>', 'bearer tokens the audit receiver accepts, one per line (or VIGIL_RECEIVER_TOKEN)')
    .option('--audit-insecure-http', 'serve the audit receiver over plain HTTP (loopback only; for testing)')
    .option(
      '--falco-log <file>',
      'place the Falco JSON alerts of this file in context (repeatable; replayed once unless --falco-follow)',
      listOption,
      [],
    )
    .option('--falco-follow', 'with --falco-log: keep reading the (single) file as it grows, across rotation')
    .option('--falco-listen <host:port>', 'receive Falco http_output / falcosidekick webhook alerts here (see docs/runtime.md)')
    .option('--falco-path <path>', 'URL path Falco posts alerts to', '/v1/falco')
    .option('--falco-tls-cert <file>', 'serving certificate of the Falco receiver (PEM)')
    .option('--falco-tls-key <file>', 'private key of --falco-tls-cert (PEM)')
    .option('--falco-client-ca <file>', 'accept Falco client certificates (http_output mtls) signed by this CA')
    .option('--falco-token-file <file>', 'tokens the Falco receiver accepts (bearer, or Basic password), one per line')
    .option('--falco-insecure-http', 'serve the Falco receiver over plain HTTP (loopback only; for testing)');
  withSinkFlags(command, { metricsFile: false });
  withFalcoFlags(command);
  addClusterOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  vigil monitor                                   watch the current kubeconfig context
  vigil monitor --context prod --store postgres://vigil@db/vigil --alerts-stdout
  vigil monitor --in-cluster --listen 0.0.0.0:9464 --tls-cert tls.crt --tls-key tls.key --token-file token
  vigil monitor k8s/ --poll 5                     watch manifests on disk
  vigil monitor --audit-log /var/log/kubernetes/audit.log --follow --falco-rules k8s_audit_rules.yaml

Stops on Ctrl-C (SIGINT) or SIGTERM. See docs/monitoring.md.`,
    )
    .action(async (paths: string[], flags: MonitorFlags) => {
      const log = (message: string): void => {
        io.stderr.write(`vigil: ${message.replace(/^monitor: /, '')}\n`);
      };
      const config = loadConfig(flags.config, io.cwd);
      const checks = activeChecks(config, { only: flags.only, skip: flags.skip });
      // .vigil.yaml and annotations, then the exceptions written from the dashboard (kept in the store).
      const exceptions = new StoreAwareExceptionMatcher(config, {
        annotations: flags.annotationExceptions && config.annotationExceptions,
        today: new Date().toISOString().slice(0, 10),
      });
      const listen = parseListen(flags.listen);
      const tls =
        flags.tlsCert === undefined && flags.tlsKey === undefined
          ? undefined
          : flags.tlsCert !== undefined && flags.tlsKey !== undefined
            ? { cert: readSecretFile(flags.tlsCert, 'certificate'), key: readSecretFile(flags.tlsKey, 'key') }
            : (() => {
                throw new UsageError('--tls-cert and --tls-key go together');
              })();
      const token = flags.tokenFile === undefined ? undefined : readSecretFile(flags.tokenFile, 'token file');
      if (token === '') throw new UsageError(`--token-file ${flags.tokenFile ?? ''} is empty`);
      const listenOptions: ListenOptions = { ...listen, ...(tls === undefined ? {} : { tls }), ...(token === undefined ? {} : { token }) };
      const digestAt = flags.digestAt === undefined ? undefined : parseDigestTime(flags.digestAt);
      const api = paths.length === 0 ? kubeApiOf(flags) : undefined;
      const clusterName = flags.clusterName ?? (api === undefined ? 'manifests' : api.contextName);

      const store: Store = await openStore(flags.store, { dataDir: flags.dataDir, cwd: io.cwd });
      exceptions.replace(await store.exceptions());
      const metrics = new MonitorMetrics();
      const sinks: AlertSink[] = [
        ...(flags.alertsStdout === true ? [new StreamSink(io.stdout, flags.alertsFormat)] : []),
        ...sinksFromFlags(io, { jsonl: flags.jsonl, webhook: flags.webhook, slackWebhook: flags.slackWebhook }).sinks,
      ];
      if (flags.follow === true && flags.auditLog.length !== 1) throw new UsageError('--follow follows exactly one --audit-log');
      const auditReceiver = flags.auditWebhook === true ? auditReceiverOptions(io, flags) : undefined;
      if (flags.falcoFollow === true && flags.falcoLog.length !== 1) throw new UsageError('--falco-follow follows exactly one --falco-log');
      const falcoReceiver = flags.falcoListen === undefined ? undefined : falcoReceiverOptions(io, flags, flags.falcoListen);
      const monitor = new Monitor({
        cluster: clusterName,
        checks,
        exceptions,
        store,
        sinks,
        alertMinSeverity: flags.alertSeverity,
        ...(flags.alertOnBaseline === true ? { alertOnBaseline: true } : {}),
        metrics,
        log,
      });
      const cleanups: (() => Promise<void> | void)[] = [
        () => monitor.stop(),
        async () => {
          for (const f of await closeAll(sinks)) log(`alert sink ${f.sink} failed while closing: ${describeError(f.error)}`);
        },
        () => store.close(),
      ];
      const wantsAudit = flags.auditLog.length > 0 || auditReceiver !== undefined;
      if (!wantsAudit && flags.falcoRules.length > 0)
        throw new UsageError('--falco-rules needs an audit input: --audit-log or --audit-webhook');
      let audit: MonitorAuditFeed | undefined;
      if (wantsAudit) {
        // The rules consult the live Inventory (which workload a service account runs, what mounts a Secret).
        const holder = liveContext(() => monitor.inventory);
        const falco = loadFalcoRulesForCli(io, {
          falcoRules: flags.falcoRules,
          ruleMatching: flags.ruleMatching,
          only: [],
          skip: [],
          cluster: clusterName,
        });
        const rules = [
          ...loadRulesForCli(io, { rules: flags.auditRules, builtinRules: true, only: [], skip: [], context: [] }, holder),
          ...falco.rules,
        ];
        audit = new MonitorAuditFeed({ rules, holder, store, sinks, cluster: clusterName, metrics, log });
        const feed = audit;
        cleanups.unshift(() => feed.stop());
      }
      let runtime: MonitorRuntimeFeed | undefined;
      if (flags.falcoLog.length > 0 || falcoReceiver !== undefined) {
        // Falco alerts are placed in the live Inventory, with the findings the monitor holds.
        runtime = new MonitorRuntimeFeed({
          inventory: monitor.inventory,
          findings: () => monitor.currentFindings(),
          store,
          sinks,
          cluster: clusterName,
          metrics,
          log,
        });
        const feed = runtime;
        cleanups.unshift(() => feed.stop());
      }
      const cleanup = async (): Promise<void> => {
        for (const fn of cleanups.reverse())
          await Promise.resolve(fn()).catch((err: unknown) => {
            log(`while stopping: ${describeError(err)}`);
          });
      };
      try {
        log(`store: ${store.kind} ${store.location}`);
        let feed: ClusterFeed | FileFeed;
        if (api === undefined) {
          feed = await watchFiles(paths, monitor, {
            intervalMs: flags.once === true ? 0 : flags.poll * 1000,
            log,
            onProblems: (problems) => {
              for (const p of problems.filter((q) => q.level === 'error')) log(`${p.location.file}: ${p.message}`);
            },
          });
          log(
            `watching manifests: ${paths.join(', ')}${flags.once === true || flags.poll === 0 ? '' : ` (re-read every ${flags.poll} s)`}`,
          );
        } else {
          feed = watchCluster(api, monitor, { metrics, log, ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }) });
          log(`watching ${api.server} (context ${api.contextName})${flags.namespace === undefined ? '' : ` namespace ${flags.namespace}`}`);
        }
        cleanups.unshift(() => feed.stop());

        if (flags.once === true) {
          await waitReady(monitor);
          if (audit !== undefined && flags.auditLog.length > 0) await audit.replay(flags.auditLog);
          if (runtime !== undefined && flags.falcoLog.length > 0) await runtime.replay(flags.falcoLog);
          const counts = await store.openCounts(clusterName);
          io.stdout.write(
            `${JSON.stringify({ cluster: clusterName, objects: monitor.inventory.size, open: counts, store: `${store.kind} ${store.location}` })}\n`,
          );
          setExit(EXIT.ok);
          return;
        }

        if (audit !== undefined) {
          if (flags.follow === true) void audit.follow(flags.auditLog[0] as string, flags.fromStart === true);
          else if (flags.auditLog.length > 0) void audit.replay(flags.auditLog);
          if (auditReceiver !== undefined) log(`audit receiver: ${await audit.startReceiver(auditReceiver)}`);
        }
        if (runtime !== undefined) {
          if (flags.falcoFollow === true) void runtime.follow(flags.falcoLog[0] as string, false);
          else if (flags.falcoLog.length > 0) void runtime.replay(flags.falcoLog);
          if (falcoReceiver !== undefined) log(`falco receiver: ${await runtime.startReceiver(falcoReceiver)}`);
        }
        const dashboard = flags.dashboard
          ? dashboardPlugin({
              store,
              mode: 'monitor',
              cluster: clusterName,
              inventory: () => monitor.inventory,
              ready: () => monitor.readiness.ready,
              checks: checks.map((c) => c.check.id),
              onExceptionsChanged: async (list) => {
                exceptions.replace(list);
                await monitor.resync();
              },
              loopbackOnly: isLoopback(listen.host),
              ...(token === undefined ? {} : { token }),
            })
          : undefined;
        const server = await startHealthServer(
          { metrics, readiness: () => monitor.readiness, ...(dashboard === undefined ? {} : { plugins: [dashboard] }) },
          listenOptions,
        );
        cleanups.push(() => server.close());
        log(`metrics: ${server.url}/metrics  health: ${server.url}/healthz  ready: ${server.url}/readyz`);
        if (dashboard !== undefined) log(`dashboard: ${server.url}/`);

        const timers: NodeJS.Timeout[] = [];
        if (flags.resyncMinutes > 0) timers.push(setInterval(() => void monitor.resync(), flags.resyncMinutes * 60_000));
        if (flags.retentionDays !== undefined) {
          const days = flags.retentionDays;
          const policy: RetentionPolicy = { resolvedFindingsDays: days, alertDays: days, runDays: days, auditEventDays: days };
          const prune = (): void => {
            store
              .applyRetention(policy, new Date().toISOString())
              .then((r) => {
                if (r.findings + r.alerts + r.runs > 0)
                  log(`retention: deleted ${r.findings} findings, ${r.alerts} alerts, ${r.runs} runs`);
              })
              .catch((err: unknown) => {
                log(`retention failed: ${describeError(err)}`);
              });
          };
          prune();
          timers.push(setInterval(prune, 3_600_000));
        }
        if (digestAt !== undefined) {
          const digest = new DigestScheduler({
            at: digestAt,
            store,
            cluster: clusterName,
            sinks,
            onFailure: (sink, message) => {
              metrics.alertFailures.inc({ sink });
              log(`digest to ${sink} failed: ${message}`);
            },
          });
          digest.start();
          cleanups.push(() => {
            digest.stop();
          });
        }
        cleanups.push(() => {
          for (const t of timers) clearInterval(t);
        });
        const signal = await until();
        log(`${signal}: stopping`);
        setExit(EXIT.ok);
      } finally {
        await cleanup();
      }
    });
}

/** How long `--once` waits for the first evaluation before giving up. */
const ONCE_DEADLINE_MS = 5 * 60_000;

async function waitReady(monitor: Monitor): Promise<void> {
  const deadline = Date.now() + ONCE_DEADLINE_MS;
  for (;;) {
    if (monitor.readiness.ready) {
      await monitor.whenIdle();
      return;
    }
    if (Date.now() > deadline) {
      throw new VigilError(`no complete evaluation within ${ONCE_DEADLINE_MS / 60_000} minutes: ${monitor.readiness.reason}`, {
        hint: 'Check that the API server answers (see the messages above).',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The flags of one receiver the monitor can run (audit webhook, Falco). */
interface ReceiverFlags {
  /** Flag prefix: `audit` for --audit-listen, --audit-tls-cert… */
  readonly prefix: string;
  /** The flag that turns the receiver on. */
  readonly enable: string;
  /** What it receives, for messages. */
  readonly what: string;
  readonly listen: string;
  readonly path: string;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly clientCa: string | undefined;
  readonly tokenFile: string | undefined;
  readonly insecureHttp: boolean | undefined;
}

/** A receiver's settings from the monitor's flags, refusing anything unsafe (the rules of `vigil audit serve`). */
function receiverOptions(io: CliIo, f: ReceiverFlags): MonitorReceiverOptions {
  const { host, port } = parseListen(f.listen);
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined)) {
    throw new UsageError(`--${f.prefix}-tls-cert and --${f.prefix}-tls-key go together`);
  }
  const { tls } = tlsOptionOf(f);
  if (tls === undefined && f.insecureHttp !== true) {
    throw new UsageError(
      `${f.enable} needs --${f.prefix}-tls-cert and --${f.prefix}-tls-key (or --${f.prefix}-insecure-http on loopback, for testing)`,
    );
  }
  if (tls === undefined && !isLoopback(host))
    throw new UsageError(`plain HTTP is refused on ${host}: ${f.what} receiver reachable from the network needs TLS`);
  if (f.clientCa !== undefined && tls === undefined) throw new UsageError(`--${f.prefix}-client-ca needs TLS`);
  const tokens = receiverTokens(io, f.tokenFile);
  if (tokens.length === 0 && f.clientCa === undefined) {
    throw new UsageError(
      `the ${f.what} receiver needs authentication: --${f.prefix}-token-file (or VIGIL_RECEIVER_TOKEN) and/or --${f.prefix}-client-ca`,
    );
  }
  return { host, port, path: f.path, tokens, ...(tls === undefined ? {} : { tls }) };
}

/** The audit receiver's settings. */
function auditReceiverOptions(io: CliIo, flags: MonitorFlags): MonitorReceiverOptions {
  return receiverOptions(io, {
    prefix: 'audit',
    enable: '--audit-webhook',
    what: 'an audit',
    listen: flags.auditListen,
    path: flags.auditPath,
    tlsCert: flags.auditTlsCert,
    tlsKey: flags.auditTlsKey,
    clientCa: flags.auditClientCa,
    tokenFile: flags.auditTokenFile,
    insecureHttp: flags.auditInsecureHttp,
  });
}

/** The Falco receiver's settings (--falco-listen turns it on). */
function falcoReceiverOptions(io: CliIo, flags: MonitorFlags, listen: string): MonitorFalcoReceiverOptions {
  return receiverOptions(io, {
    prefix: 'falco',
    enable: '--falco-listen',
    what: 'the Falco',
    listen,
    path: flags.falcoPath,
    tlsCert: flags.falcoTlsCert,
    tlsKey: flags.falcoTlsKey,
    clientCa: flags.falcoClientCa,
    tokenFile: flags.falcoTokenFile,
    insecureHttp: flags.falcoInsecureHttp,
  });
}
