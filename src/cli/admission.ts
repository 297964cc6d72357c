import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';

import { Command, Option } from 'commander';

import { parseAdmissionConfig, DEFAULT_ADMISSION_CONFIG, type AdmissionConfig } from '../admission/config.js';
import { AdmissionHandler, type Decision, type Webhook } from '../admission/handler.js';
import { admissionManifests, type FailurePolicy } from '../admission/manifests.js';
import { AdmissionMetrics } from '../admission/metrics.js';
import type { LabelRoute } from '../admission/policy.js';
import { CertificateReloader, INVALID_LABEL_ROUTE, startAdmissionServer } from '../admission/server.js';
import { PSS_LEVELS, type PssLevel } from '../analysis/pss/levels.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { EXIT, listOption, mebibytes, type CliIo } from './io.js';

const DEFAULT_LISTEN = '127.0.0.1:8443';
type LogMode = 'denials' | 'decisions' | 'none';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${what} ${path}: ${describeError(err)}`, { hint: `Check the ${what} path.`, cause: err });
  }
}

function loadAdmissionConfig(file: string | undefined): { config: AdmissionConfig; text?: string } {
  if (file === undefined) return { config: DEFAULT_ADMISSION_CONFIG };
  const text = readText(file, 'config');
  return { config: parseAdmissionConfig(text, file), text };
}

/** `host:port`, `[::1]:port` or `:port` (all addresses is `0.0.0.0:port`). */
function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new UsageError(`--listen: expected HOST:PORT, got "${value}"`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function integer(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

function labelRoute(value: string | undefined): LabelRoute {
  if (value === undefined) return { kind: 'none' };
  if ((PSS_LEVELS as readonly string[]).includes(value)) return { kind: 'level', level: value as PssLevel };
  if (value === INVALID_LABEL_ROUTE) return { kind: 'invalid' };
  throw new UsageError(`--label: expected privileged, baseline, restricted or ${INVALID_LABEL_ROUTE}, got "${value}"`);
}

/** One JSON line per decision: who did what to which object, and what Vigil said — never object content. */
function decisionLine(decision: Decision, seconds: number): string {
  const r = decision.request;
  return JSON.stringify({
    time: new Date().toISOString(),
    webhook: decision.webhook,
    outcome: decision.outcome,
    dryRun: decision.dryRun,
    ...(r === undefined
      ? {}
      : {
          uid: r.uid,
          operation: r.operation,
          kind: r.kind,
          ...(r.subResource === '' ? {} : { subResource: r.subResource }),
          namespace: r.namespace,
          name: r.name,
          user: r.user,
        }),
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    ...(decision.findings.length === 0 ? {} : { findings: decision.findings }),
    ...(decision.patched === undefined ? {} : { patched: decision.patched }),
    ms: Math.round(seconds * 1e6) / 1e3,
  });
}

interface ServeFlags {
  tlsCert: string;
  tlsKey: string;
  listen: string;
  config?: string;
  namespace?: string;
  clientCa?: string;
  metricsTokenFile?: string;
  maxBodySize?: number;
  log: LogMode;
  reloadInterval: number;
  shutdownDelay: number;
}

function serveCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('serve')
    .summary('serve the validating and mutating admission webhook over HTTPS')
    .description(
      'An HTTPS server for AdmissionReview v1: POST /validate (and /validate/<level>, routed by the vigil.dev/enforce namespace label) denies, warns and annotates; POST /mutate sets missing safe defaults. Binds to 127.0.0.1 unless told otherwise.',
    )
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM); re-read when the file changes')
    .requiredOption('--tls-key <file>', 'its private key (PEM)')
    .option('--listen <host:port>', 'address to bind (0.0.0.0:8443 in a cluster)', DEFAULT_LISTEN)
    .option('-c, --config <file>', 'configuration: .vigil.yaml keys (checks, exceptions) and an admission: section')
    .option('--namespace <namespace>', 'the namespace the webhook runs in, always exempt (default: $POD_NAMESPACE)')
    .option('--client-ca <file>', 'require review requests to present a client certificate signed by this CA')
    .option('--metrics-token-file <file>', 'serve GET /metrics to this bearer token (on loopback /metrics is open without one)')
    .option('--max-body-size <MiB>', 'largest request body accepted (default 8)', mebibytes)
    .addOption(
      new Option('--log <mode>', 'decision log on stdout, JSON lines').choices(['denials', 'decisions', 'none']).default('denials'),
    )
    .option('--reload-interval <seconds>', 'how often to look for a renewed certificate', integer('--reload-interval', 1, 86400), 30)
    .option(
      '--shutdown-delay <seconds>',
      'on SIGTERM, report not ready and keep answering this long before closing (lets endpoints catch up)',
      integer('--shutdown-delay', 0, 300),
      0,
    )
    .addHelpText(
      'after',
      `
Examples:
  vigil admission serve --tls-cert tls.crt --tls-key tls.key                 # https://127.0.0.1:8443
  vigil admission serve --listen 0.0.0.0:8443 --tls-cert /etc/vigil/tls/tls.crt --tls-key /etc/vigil/tls/tls.key \\
      --namespace vigil --config /etc/vigil/config/vigil.yaml

Endpoints: POST /validate, /validate/{privileged,baseline,restricted,${INVALID_LABEL_ROUTE}}, /mutate;
GET /healthz, /readyz, /metrics. See docs/admission.md.`,
    )
    .action(async (flags: ServeFlags) => {
      const { host, port } = parseListen(flags.listen);
      const { config } = loadAdmissionConfig(flags.config);
      const ownNamespace = flags.namespace ?? io.env.POD_NAMESPACE;
      const handler = new AdmissionHandler({ config, ...(ownNamespace === undefined ? {} : { ownNamespace }) });
      const cert = readText(flags.tlsCert, 'certificate');
      const key = readText(flags.tlsKey, 'key');
      const clientCa = flags.clientCa === undefined ? undefined : readText(flags.clientCa, 'client CA');
      let metricsToken: string | undefined;
      if (flags.metricsTokenFile !== undefined) {
        metricsToken = readText(flags.metricsTokenFile, 'metrics token file').trim();
        if (metricsToken.length < 16) throw new UsageError('the metrics token must be at least 16 characters long');
      }
      const metrics = new AdmissionMetrics();
      const log = flags.log;
      const server = await startAdmissionServer({
        handler,
        host,
        port,
        tls: { cert, key, ...(clientCa === undefined ? {} : { clientCa }) },
        ...(flags.maxBodySize === undefined ? {} : { maxBodyBytes: flags.maxBodySize }),
        metrics,
        ...(metricsToken === undefined ? {} : { metricsToken }),
        metricsOpen: isLoopback(host),
        onDecision: (decision, seconds) => {
          if (log === 'none') return;
          if (log === 'denials' && decision.outcome !== 'denied' && decision.outcome !== 'error' && decision.outcome !== 'invalid') return;
          io.stdout.write(`${decisionLine(decision, seconds)}\n`);
        },
      });
      const reloader = new CertificateReloader(
        { cert: flags.tlsCert, key: flags.tlsKey },
        (c, k) => {
          server.setCertificate(c, k);
        },
        (event) => io.stderr.write(`vigil: ${event.message}\n`),
      );
      reloader.start(flags.reloadInterval * 1000);
      const policy = handler.policies.resolve('', { kind: 'none' });
      io.stderr.write(
        `vigil: admission webhook on ${server.url} (/validate, /mutate) with ${handler.checks.length} checks; default policy: ${policy.description}; exempt namespaces: ${handler.exemptions.exemptNamespaces.join(', ')}\n`,
      );
      if (!isLoopback(host) && clientCa === undefined) {
        io.stderr.write(
          'vigil: review requests are not authenticated (no --client-ca): the endpoints only answer questions and change nothing; see docs/admission.md ("Authenticating the API server")\n',
        );
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      reloader.stop();
      if (flags.shutdownDelay > 0) {
        io.stderr.write(`vigil: stopping in ${flags.shutdownDelay} s (not ready meanwhile)\n`);
        server.markNotReady();
        await new Promise((resolve) => setTimeout(resolve, flags.shutdownDelay * 1000));
      }
      await server.close();
      io.stderr.write('vigil: admission webhook stopped\n');
      setExit(EXIT.ok);
    });
}

interface ManifestFlags {
  namespace: string;
  name: string;
  image?: string;
  replicas: number;
  failurePolicy: FailurePolicy;
  timeoutSeconds: number;
  certManager?: boolean;
  certDays: number;
  config?: string;
  exemptNamespace: string[];
  matchConditions: boolean;
  mutating: boolean;
  output?: string;
}

function manifestsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('manifests')
    .summary('print the Kubernetes objects that run the webhook, with a generated CA and serving certificate')
    .description(
      'Namespace, ServiceAccount, TLS Secret (or cert-manager Issuer and Certificate), Service, Deployment, PodDisruptionBudget, NetworkPolicy and the Validating/MutatingWebhookConfiguration, with comments explaining each setting.',
    )
    .option('--namespace <namespace>', 'namespace to run the webhook in', 'vigil')
    .option('--name <name>', 'name of the Deployment, Service and webhook configurations', 'vigil-admission')
    .option('--image <image>', 'container image (default: ghcr.io/vigil-dev/vigil:<version>)')
    .option('--replicas <n>', 'replicas of the webhook', integer('--replicas', 1, 20), 2)
    .addOption(
      new Option('--failure-policy <policy>', 'failurePolicy of the validating webhooks (the mutating one is Ignore)')
        .choices(['Fail', 'Ignore'])
        .default('Fail'),
    )
    .option('--timeout-seconds <n>', 'timeoutSeconds of the webhooks', integer('--timeout-seconds', 1, 30), 3)
    .option('--cert-manager', 'let cert-manager issue and renew the certificate instead of generating one')
    .option('--cert-days <n>', 'validity of the generated certificates', integer('--cert-days', 1, 36500), 730)
    .option('-c, --config <file>', 'ship this configuration in a ConfigMap (its exemptions and mutate settings shape the selectors)')
    .option('--exempt-namespace <namespaces>', 'more namespaces to leave out of every webhook', listOption, [])
    .option('--no-match-conditions', 'leave out matchConditions (for Kubernetes older than 1.28)')
    .option('--no-mutating', 'leave out the MutatingWebhookConfiguration')
    .option('-o, --output <file>', 'write to this file (mode 0600: it holds a private key) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  vigil admission manifests | kubectl apply -f -
  vigil admission manifests --namespace security --config vigil.yaml -o webhook.yaml
  vigil admission manifests --cert-manager --failure-policy Ignore`,
    )
    .action((flags: ManifestFlags) => {
      const loaded = loadAdmissionConfig(flags.config);
      const manifests = admissionManifests({
        namespace: flags.namespace,
        name: flags.name,
        ...(flags.image === undefined ? {} : { image: flags.image }),
        replicas: flags.replicas,
        failurePolicy: flags.failurePolicy,
        timeoutSeconds: flags.timeoutSeconds,
        certManager: flags.certManager === true,
        certDays: flags.certDays,
        ...(loaded.text === undefined ? {} : { config: { text: loaded.text, settings: loaded.config.admission } }),
        exemptNamespaces: flags.exemptNamespace,
        matchConditions: flags.matchConditions,
        mutating: flags.mutating,
      });
      if (flags.output === undefined || flags.output === '-') io.stdout.write(manifests.text);
      else {
        try {
          writeFileSync(flags.output, manifests.text, { mode: 0o600 });
        } catch (err: unknown) {
          throw new VigilError(`cannot write ${flags.output}: ${describeError(err)}`, { cause: err });
        }
      }
      if (manifests.certificateExpires !== undefined) {
        io.stderr.write(
          `vigil: the output holds the serving certificate's private key (apply it, do not commit it); the certificate expires on ${manifests.certificateExpires.toISOString().slice(0, 10)}\n`,
        );
      }
      setExit(EXIT.ok);
    });
}

interface ReviewFlags {
  mutate?: boolean;
  label?: string;
  config?: string;
  namespace?: string;
}

function reviewCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('review')
    .summary('answer one AdmissionReview from a file or stdin, as the webhook would')
    .argument('[file]', 'AdmissionReview JSON (- or nothing: standard input)')
    .option('--mutate', 'answer as the mutating webhook (default: validating)')
    .option('--label <level>', `the namespace's vigil.dev/enforce label (privileged, baseline, restricted, ${INVALID_LABEL_ROUTE})`)
    .option('-c, --config <file>', 'configuration, as for serve')
    .option('--namespace <namespace>', 'the namespace the webhook runs in (exempt)')
    .addHelpText('after', '\nExit codes: 0 allowed, 1 denied, 2 the input is not a usable AdmissionReview (or another error).')
    .action(async (file: string | undefined, flags: ReviewFlags) => {
      const label = labelRoute(flags.label);
      const { config } = loadAdmissionConfig(flags.config);
      const handler = new AdmissionHandler({ config, ...(flags.namespace === undefined ? {} : { ownNamespace: flags.namespace }) });
      let body: string;
      if (file === undefined || file === '-') {
        if (io.readStdin === undefined)
          throw new UsageError('no AdmissionReview given', { hint: 'Pass a file, or pipe one to standard input.' });
        body = await io.readStdin();
      } else body = readText(file, 'AdmissionReview');
      const webhook: Webhook = flags.mutate === true ? 'mutate' : 'validate';
      const decision = handler.handleBody(webhook, label, body);
      io.stdout.write(`${JSON.stringify(decision.review, null, 2)}\n`);
      setExit(
        decision.outcome === 'invalid' || decision.outcome === 'error'
          ? EXIT.usage
          : decision.review.response.allowed
            ? EXIT.ok
            : EXIT.findings,
      );
    });
}

/** `vigil admission`: the admission webhook (serve), its deployment (manifests) and offline answers (review). */
export function admissionCommand(io: CliIo, setExit: (code: number) => void): Command {
  const admission = new Command('admission')
    .summary('admission webhook: deny, warn and set safe defaults before objects exist')
    .description("A validating and mutating admission webhook that applies Vigil's object-scoped checks to every create and update.");
  for (const sub of [serveCommand(io, setExit), manifestsCommand(io, setExit), reviewCommand(io, setExit)]) {
    admission.addCommand(sub.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  }
  return admission;
}
