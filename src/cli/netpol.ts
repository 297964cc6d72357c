import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import {
  buildNetworkModel,
  exposureOf,
  isProtocol,
  ReachabilityMatrix,
  reach,
  resolveEndpoint,
  type NetworkModel,
  type Protocol,
} from '../analysis/netpol/index.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { formatResourceRef } from '../core/resource-ref.js';
import { formatSourceLocation } from '../core/source-location.js';
import { Inventory } from '../inventory/inventory.js';
import { isRecord } from '../k8s/guards.js';
import { exposureJson, formatExposureText } from '../report/netpol/exposure.js';
import { formatMatrix, MATRIX_FORMATS, matrixView, type MatrixFormat } from '../report/netpol/matrix.js';
import { formatReachText, reachJson, type ReachJson } from '../report/netpol/reach.js';
import { loadInputs } from '../sources/load-inputs.js';
import { emit, EXIT, type CliIo } from './io.js';

/** `80`, `80/TCP`, `53/udp`, `http`, `dns/UDP`: a port number or name, and a protocol (TCP by default). */
export function parsePortSpec(text: string): { port: number; protocol: Protocol } | { name: string; protocol: Protocol } {
  const match = /^([0-9]+|[a-z0-9][a-z0-9-]*)(?:\/([A-Za-z]+))?$/.exec(text.trim());
  const protocol = (match?.[2] ?? 'TCP').toUpperCase();
  if (match === null || !isProtocol(protocol)) {
    throw new UsageError(`--port ${JSON.stringify(text)}: expected PORT or PORT/PROTOCOL, such as 443, 53/UDP or http/TCP`, {
      hint: 'The protocol is TCP, UDP or SCTP; a port name is resolved on the destination pod.',
    });
  }
  const value = match[1] as string;
  if (/^[0-9]+$/.test(value)) {
    const port = Number(value);
    if (port < 1 || port > 65535) throw new UsageError(`--port ${JSON.stringify(text)}: a port number is 1–65535`);
    return { port, protocol };
  }
  return { name: value, protocol };
}

interface CommonFlags {
  defaultNamespace: string;
}

/** Load the inputs, build the model, and say on stderr what could not be read or will be ignored. */
async function loadModel(paths: readonly string[], flags: CommonFlags, io: CliIo): Promise<NetworkModel> {
  const loaded = await loadInputs(paths, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
  for (const problem of loaded.problems) {
    if (problem.code === 'not-found')
      throw new UsageError(`${problem.location.file}: ${problem.message}`, problem.hint === undefined ? {} : { hint: problem.hint });
    io.stderr.write(
      `vigil: ${problem.level === 'warning' ? 'warning: ' : ''}${formatSourceLocation(problem.location)}: ${problem.message}\n`,
    );
  }
  if (loaded.objects.length === 0) {
    throw new UsageError('no Kubernetes objects found in the input', {
      hint: 'Give the files or folders that hold the namespaces, workloads and NetworkPolicies.',
    });
  }
  const { inventory } = Inventory.from(loaded.objects, { defaultNamespace: flags.defaultNamespace });
  const model = buildNetworkModel(inventory);
  for (const problem of model.problems) {
    const source = problem.entry?.source;
    const line = source?.positions?.locate(problem.pointer)?.line ?? source?.line;
    const where = source === undefined ? '' : `${formatSourceLocation({ file: source.file, ...(line === undefined ? {} : { line }) })}: `;
    const effect = problem.level === 'error' ? ' (left out: the API server would reject it)' : '';
    io.stderr.write(
      `vigil: ${problem.level === 'warning' ? 'warning: ' : ''}${where}${formatResourceRef(problem.resource)}: ${problem.message}${effect}\n`,
    );
  }
  return model;
}

interface Query {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number | string;
}

/** Answer one query; a query that cannot be asked is answered with its error, so the others still are. */
export function answerQuery(model: NetworkModel, query: Query): ReachJson {
  const numericPort = typeof query.port === 'number' ? query.port : 0;
  const failed = (error: string, hint?: string): ReachJson => ({
    from: query.from,
    to: query.to,
    protocol: query.protocol,
    port: numericPort,
    ...(typeof query.port === 'string' ? { portName: query.port } : {}),
    allowed: null,
    error,
    ...(hint === undefined ? {} : { hint }),
    egress: null,
    ingress: null,
  });
  const from = resolveEndpoint(model, query.from);
  if (!from.ok) return failed(`from: ${from.message}`, from.hint);
  const to = resolveEndpoint(model, query.to);
  if (!to.ok) return failed(`to: ${to.message}`, to.hint);
  let port = numericPort;
  if (typeof query.port === 'string') {
    // A port name is looked up on the destination pod: policies resolve names there too.
    const named =
      to.endpoint.kind === 'pod' ? to.endpoint.pod.ports.find((p) => p.name === query.port && p.protocol === query.protocol) : undefined;
    if (named === undefined) {
      return failed(
        `the destination has no ${query.protocol} port named "${query.port}"`,
        'Give the port number instead, or the name of one of its container ports.',
      );
    }
    port = named.port;
  }
  const answer = reach(model, from.endpoint, to.endpoint, query.protocol, port);
  return reachJson(
    model,
    { from: query.from, to: query.to, protocol: query.protocol, port, ...(typeof query.port === 'string' ? { portName: query.port } : {}) },
    from.endpoint,
    to.endpoint,
    answer,
  );
}

/** Read a queries file: a JSON array of `{from, to, protocol, port}`. Bad items become error answers. */
function readQueries(file: string, io: CliIo): (Query | { invalid: string; raw: unknown })[] {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${file}: ${describeError(err)}`, { hint: 'Check the path given to --queries.', cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err: unknown) {
    throw new VigilError(`${file}: not valid JSON: ${describeError(err)}`, {
      hint: 'The file holds a JSON array of {"from", "to", "protocol", "port"} objects.',
    });
  }
  if (!Array.isArray(data))
    throw new VigilError(`${file}: expected a JSON array of queries`, {
      hint: 'For example [{"from": "shop/web", "to": "shop/db", "protocol": "TCP", "port": 5432}].',
    });
  return data.map((item: unknown, i) => {
    if (!isRecord(item)) return { invalid: `query ${i}: expected an object`, raw: item };
    const { from, to, port } = item;
    const protocol = typeof item.protocol === 'string' ? item.protocol.toUpperCase() : item.protocol === undefined ? 'TCP' : item.protocol;
    if (typeof from !== 'string' || typeof to !== 'string') return { invalid: `query ${i}: "from" and "to" must be strings`, raw: item };
    if (!isProtocol(protocol)) return { invalid: `query ${i}: protocol must be TCP, UDP or SCTP`, raw: item };
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return { from, to, protocol, port };
    if (typeof port === 'string' && port !== '') return { from, to, protocol, port };
    return { invalid: `query ${i}: port must be a number from 1 to 65535 (or a port name of the destination)`, raw: item };
  });
}

interface ReachFlags extends CommonFlags {
  from?: string;
  to?: string;
  port?: string;
  queries?: string;
  format?: 'text' | 'json';
}

function reachCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('reach')
    .summary('is a connection allowed, and why')
    .description(
      'Decide whether NetworkPolicies allow a connection from one endpoint to another on a port, exactly as the NetworkPolicy v1 specification says, with the policies and rules on each side that decide it.',
    )
    .argument('<paths...>', 'files, folders (recursive), globs, or - for standard input')
    .option('--from <endpoint>', 'source: NAMESPACE/POD, NAMESPACE/WORKLOAD, or an IP address')
    .option('--to <endpoint>', 'destination: NAMESPACE/POD, NAMESPACE/WORKLOAD, or an IP address')
    .option('--port <port>', 'PORT[/PROTOCOL], such as 443, 53/UDP, or a port name of the destination (TCP by default)')
    .option('--queries <file>', 'answer a JSON array of {"from", "to", "protocol", "port"} queries; prints a JSON array in the same order')
    .addOption(new Option('-f, --format <format>', 'output format (default: text, or json with --queries)').choices(['text', 'json']))
    .option('-n, --default-namespace <namespace>', 'namespace for objects that do not name one', 'default')
    .addHelpText(
      'after',
      `
Examples:
  vigil netpol reach k8s/ --from shop/web --to shop/db --port 5432
  vigil netpol reach k8s/ --from 203.0.113.7 --to shop/web --port 443 --format json
  vigil netpol reach k8s/ --queries queries.json > answers.json

An address is matched to the pod that has it (status.podIP), otherwise it is outside the cluster.
Pods with hostNetwork: true are answered as out of scope ("allowed": null).
Exit codes: 0 every query answered, 2 a query or the input could not be read.`,
    )
    .action(async (paths: string[], flags: ReachFlags) => {
      let queries: (Query | { invalid: string; raw: unknown })[];
      if (flags.queries !== undefined) {
        if (flags.from !== undefined || flags.to !== undefined || flags.port !== undefined) {
          throw new UsageError('--queries replaces --from, --to and --port; give one or the other');
        }
        queries = readQueries(flags.queries, io);
      } else {
        if (flags.from === undefined || flags.to === undefined || flags.port === undefined) {
          throw new UsageError('reach needs --from, --to and --port (or --queries FILE)', {
            hint: 'For example: vigil netpol reach k8s/ --from shop/web --to shop/db --port 5432',
          });
        }
        const spec = parsePortSpec(flags.port);
        queries = [{ from: flags.from, to: flags.to, protocol: spec.protocol, port: 'port' in spec ? spec.port : spec.name }];
      }
      const model = await loadModel(paths, flags, io);
      const answers = queries.map((q): ReachJson => {
        if ('invalid' in q) {
          const raw = isRecord(q.raw) ? q.raw : {};
          return {
            from: typeof raw.from === 'string' ? raw.from : '',
            to: typeof raw.to === 'string' ? raw.to : '',
            protocol: 'TCP',
            port: 0,
            allowed: null,
            error: q.invalid,
            egress: null,
            ingress: null,
          };
        }
        return answerQuery(model, q);
      });
      const format = flags.format ?? (flags.queries === undefined ? 'text' : 'json');
      if (format === 'json') emit(io, `${JSON.stringify(flags.queries === undefined ? answers[0] : answers, null, 2)}\n`, undefined);
      else emit(io, answers.map(formatReachText).join('\n'), undefined);
      setExit(answers.some((a) => a.error !== undefined) ? EXIT.usage : EXIT.ok);
    });
}

interface MatrixFlags extends CommonFlags {
  namespace?: string;
  port?: string;
  format: MatrixFormat;
  external: boolean;
  output?: string;
}

function matrixCommand(io: CliIo): Command {
  return new Command('matrix')
    .summary('who can reach whom: the whole reachability matrix')
    .description(
      'Compute every allowed connection between pods (and classes of outside addresses) and print it as a table, JSON, a Graphviz graph or a Mermaid flowchart.',
    )
    .argument('<paths...>', 'files, folders (recursive), globs, or - for standard input')
    .option('--namespace <namespace>', 'only pods of this namespace')
    .option('--port <port>', 'only edges that allow PORT[/PROTOCOL] (such as 5432 or 53/UDP)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(MATRIX_FORMATS).default('table'))
    .option('--no-external', 'leave out the classes of addresses outside the cluster')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('-n, --default-namespace <namespace>', 'namespace for objects that do not name one', 'default')
    .addHelpText(
      'after',
      `
Examples:
  vigil netpol matrix k8s/ --namespace shop
  vigil netpol matrix k8s/ --format dot | dot -Tsvg > netpol.svg
  vigil netpol matrix k8s/ --format mermaid --port 5432 >> REVIEW.md`,
    )
    .action(async (paths: string[], flags: MatrixFlags) => {
      let port: { protocol: Protocol; port: number } | undefined;
      if (flags.port !== undefined) {
        const spec = parsePortSpec(flags.port);
        if (!('port' in spec)) throw new UsageError('matrix --port takes a port number (names differ from pod to pod)');
        port = spec;
      }
      const model = await loadModel(paths, flags, io);
      if (flags.namespace !== undefined && !model.pods.some((p) => p.namespace === flags.namespace)) {
        throw new UsageError(`no pods or workloads in namespace "${flags.namespace}"`, {
          hint: `Namespaces with pods: ${[...new Set(model.pods.map((p) => p.namespace))].join(', ') || 'none'}.`,
        });
      }
      const matrix = ReachabilityMatrix.build(model);
      const view = matrixView(matrix, {
        ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
        ...(port === undefined ? {} : { port }),
        external: flags.external,
      });
      emit(io, formatMatrix(view, flags.format), flags.output);
    });
}

interface ExposureFlags extends CommonFlags {
  format: 'text' | 'json';
}

function exposureCommand(io: CliIo): Command {
  return new Command('exposure')
    .summary('everything that can reach a pod')
    .description(
      'List every pod and every range of outside addresses that NetworkPolicies let connect to one pod, on which ports, and which rules allow it.',
    )
    .argument('<paths-and-target...>', 'files, folders or globs, then the pod as NAMESPACE/POD (or NAMESPACE/WORKLOAD)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-n, --default-namespace <namespace>', 'namespace for objects that do not name one', 'default')
    .addHelpText(
      'after',
      `
Examples:
  vigil netpol exposure k8s/ shop/db
  vigil netpol exposure cluster-snapshot.json payments/ledger-0 --format json`,
    )
    .action(async (args: string[], flags: ExposureFlags) => {
      if (args.length < 2) throw new UsageError('exposure needs input paths and then the pod: vigil netpol exposure PATH… NAMESPACE/POD');
      const target = args.at(-1) as string;
      const model = await loadModel(args.slice(0, -1), flags, io);
      const resolved = resolveEndpoint(model, target);
      if (!resolved.ok) throw new UsageError(resolved.message, { hint: resolved.hint });
      if (resolved.endpoint.kind !== 'pod')
        throw new UsageError(`${target} is an address outside the cluster; exposure is about a pod`, {
          hint: 'Name the pod as NAMESPACE/POD.',
        });
      const pod = resolved.endpoint.pod;
      if (pod.outOfScope !== undefined) {
        if (flags.format === 'json') emit(io, `${JSON.stringify({ target: pod.id, outOfScope: pod.outOfScope }, null, 2)}\n`, undefined);
        else emit(io, `${pod.id}: out of scope: ${pod.outOfScope}\n`, undefined);
        return;
      }
      const json = exposureJson(model, exposureOf(model, ReachabilityMatrix.build(model), pod));
      emit(io, flags.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : formatExposureText(json), undefined);
    });
}

/** `vigil netpol reach|matrix|exposure`. */
export function netpolCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = new Command('netpol')
    .summary('NetworkPolicy reachability: who can reach whom, and why')
    .description('Exact NetworkPolicy (networking.k8s.io/v1) reachability over manifests or a cluster snapshot.');
  for (const sub of [reachCommand(io, setExit), matrixCommand(io), exposureCommand(io)]) {
    command.addCommand(sub.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  }
  return command;
}
