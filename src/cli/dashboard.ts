import { Command } from 'commander';

import { describeError, UsageError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import { Inventory } from '../inventory/inventory.js';
import { assertSafeListen, isLoopback } from '../monitor/health-server.js';
import { importAuditLogs } from '../server/audit-import.js';
import { buildDashboardApp } from '../server/dashboard-app.js';
import { openStore } from '../store/open-store.js';
import { loadInputs } from '../sources/load-inputs.js';
import { EXIT, type CliIo } from './io.js';
import { parseListen, readSecretFile, untilSignalled } from './monitor.js';

interface DashboardFlags {
  store?: string;
  dataDir: string;
  clusterName?: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  auditLog: string[];
}

export const DEFAULT_DASHBOARD_LISTEN = '127.0.0.1:9465';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function dashboardCommand(io: CliIo, setExit: (code: number) => void, until: () => Promise<string> = untilSignalled): Command {
  return new Command('dashboard')
    .summary('serve the dashboard over a stored history (findings, alerts, audit events)')
    .description(
      'Serve the dashboard and its JSON API over what a store holds: findings and their history, alerts, audit events and exceptions. Give manifests or a snapshot to also answer the Network and Access views. `vigil monitor` serves the same dashboard live.',
    )
    .argument('[paths...]', 'manifests or a snapshot of the cluster, for the Network and Access views')
    .option('--store <url>', 'postgres://… for PostgreSQL, or a SQLite file (default: <data-dir>/vigil.db)')
    .option('--data-dir <dir>', 'folder of the embedded SQLite store', '.vigil-data')
    .option('--cluster-name <name>', 'cluster to show (default: the one of the latest evaluation in the store)')
    .option('--listen <host:port>', 'address to serve on (loopback unless TLS and a token are given)', DEFAULT_DASHBOARD_LISTEN)
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--token-file <file>', 'require this bearer token on the API')
    .option('--audit-log <file>', 'import an audit log first: its events and the alerts of the built-in rules (repeatable)', collect, [])
    .addHelpText(
      'after',
      `
Examples:
  vigil dashboard --store .vigil-data/vigil.db                 the history the monitor recorded
  vigil dashboard --store postgres://vigil@db/vigil snap.json  with a snapshot for Network and Access
  vigil dashboard k8s/ --audit-log audit.log                   import an audit log, then serve

Stops on Ctrl-C. See docs/dashboard.md.`,
    )
    .action(async (paths: string[], flags: DashboardFlags) => {
      const log = (message: string): void => {
        io.stderr.write(`vigil: ${message}\n`);
      };
      const listen = parseListen(flags.listen);
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
      const tls =
        flags.tlsCert !== undefined && flags.tlsKey !== undefined
          ? { cert: readSecretFile(flags.tlsCert, 'certificate'), key: readSecretFile(flags.tlsKey, 'key') }
          : undefined;
      const token = flags.tokenFile === undefined ? undefined : readSecretFile(flags.tokenFile, 'token file');
      if (token === '') throw new UsageError(`--token-file ${flags.tokenFile ?? ''} is empty`);
      assertSafeListen({ ...listen, ...(tls === undefined ? {} : { tls }), ...(token === undefined ? {} : { token }) });

      let inventory: Inventory | undefined;
      if (paths.length > 0) {
        const loaded = await loadInputs(paths, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
        const notFound = loaded.problems.find((p) => p.code === 'not-found');
        if (notFound !== undefined) throw new UsageError(`${notFound.location.file}: not found`);
        for (const p of loaded.problems.filter((x) => x.level === 'error').slice(0, 20)) {
          log(`${formatSourceLocation(p.location)}: ${p.message}`);
        }
        inventory = Inventory.from(loaded.objects).inventory;
        log(`objects: ${inventory.size} (Network and Access views)`);
      }

      const store = await openStore(flags.store, { dataDir: flags.dataDir, cwd: io.cwd });
      try {
        log(`store: ${store.kind} ${store.location}`);
        const cluster = flags.clusterName ?? (await store.runs({ limit: 1 }))[0]?.cluster;
        if (flags.auditLog.length > 0) {
          const result = await importAuditLogs(flags.auditLog, {
            store,
            cluster: cluster ?? 'audit',
            ...(inventory === undefined ? {} : { inventory }),
          });
          for (const p of result.problems.filter((x) => x.level === 'error').slice(0, 20)) {
            log(`${formatSourceLocation(p.location)}: ${p.message}`);
          }
          log(
            `audit: ${result.counts.events} events read, ${result.stored} stored (${result.counts.malformed} malformed, ${result.unstorable} without an id or time), ${result.alerts} new alerts`,
          );
        }
        const app = buildDashboardApp(
          {
            store,
            mode: 'store',
            ...(cluster === undefined ? {} : { cluster }),
            ...(inventory === undefined ? {} : { inventory: () => inventory }),
            loopbackOnly: isLoopback(listen.host),
            ...(token === undefined ? {} : { token }),
          },
          tls,
        );
        try {
          await app.listen({ host: listen.host, port: listen.port });
        } catch (err: unknown) {
          throw new UsageError(`cannot listen on ${flags.listen}: ${describeError(err)}`, {
            hint: 'Choose another address with --listen.',
          });
        }
        const address = app.server.address();
        const port = typeof address === 'object' && address !== null ? address.port : listen.port;
        const host = listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
        log(`dashboard: ${tls === undefined ? 'http' : 'https'}://${host}:${port}/`);
        const signal = await until();
        log(`${signal}: stopping`);
        await app.close();
        setExit(EXIT.ok);
      } finally {
        await store.close();
      }
    });
}
