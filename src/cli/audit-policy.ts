import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { PolicyCostAccumulator } from '../analysis/audit-policy/cost.js';
import { policyCoverage } from '../analysis/audit-policy/coverage.js';
import { PolicyChecker } from '../analysis/audit-policy/evaluate.js';
import { lintPolicy } from '../analysis/audit-policy/lint.js';
import { formatPolicyProblem, parsePolicy, type PolicyParseResult } from '../analysis/audit-policy/parse.js';
import { requestAttributesFrom, splitResourceText } from '../analysis/audit-policy/request.js';
import { AUDIT_LEVELS, type AuditDecision, type AuditPolicy, type RequestAttributes } from '../analysis/audit-policy/types.js';
import { readAuditFiles } from '../audit/readers/files.js';
import { emptyCounts } from '../audit/readers/parse-lines.js';
import { loggedEventOf } from '../audit/request-attributes.js';
import { formatSourceLocation } from '../core/source-location.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { isRecord } from '../k8s/guards.js';
import { emit, EXIT, listOption, type CliIo } from './io.js';
import { loadRulesForCli, withRuleFlags, type RuleFlags } from './audit-rules.js';
import { stdinOf } from './audit-scan.js';

/** A policy file read and loaded, with its warnings already printed; a policy that does not load is an error. */
export interface LoadedPolicy {
  readonly file: string;
  readonly policy: AuditPolicy;
  readonly parsed: PolicyParseResult;
}

/** Read and load an audit policy file, printing warnings to stderr; throws VigilError when it does not load. */
export function loadPolicyFile(io: CliIo, file: string): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read policy ${file}: ${describeError(err)}`, {
      hint: 'Give the path of an audit.k8s.io/v1 Policy file.',
      cause: err,
    });
  }
  const parsed = parsePolicy(text);
  for (const p of parsed.problems) if (p.level === 'warning') io.stderr.write(`vigil: ${formatPolicyProblem(file, p)}\n`);
  if (parsed.policy === undefined) {
    const errors = parsed.problems.filter((p) => p.level === 'error');
    throw new VigilError(
      `${file} is not a policy the API server would load:\n${errors.map((p) => `  ${formatPolicyProblem(file, p)}`).join('\n')}`,
      {
        hint: 'Fix the policy (see the Kubernetes "Auditing" page for the audit.k8s.io/v1 Policy format).',
      },
    );
  }
  return { file, policy: parsed.policy, parsed };
}

interface EvalFlags {
  user?: string;
  group: string[];
  verb?: string;
  resource?: string;
  apiGroup?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  requests?: string;
  format: 'text' | 'json';
}

function attributesFromFlags(flags: EvalFlags): RequestAttributes {
  if (flags.verb === undefined) throw new UsageError('--verb is required (or give --requests FILE)');
  if (flags.resource === undefined && flags.path === undefined)
    throw new UsageError('give --resource R (a resource request) or --path /url (a non-resource request)');
  if (flags.resource !== undefined && flags.path !== undefined)
    throw new UsageError('give either --resource or --path: a request is a resource request or a non-resource request, not both');
  if (flags.user === undefined && flags.group.length > 0)
    throw new UsageError('--group needs --user: without --user the request carries no user info at all');
  const fromText = flags.resource === undefined ? undefined : splitResourceText(flags.resource);
  const attributes = requestAttributesFrom({
    ...(flags.user === undefined ? {} : { user: flags.user, groups: flags.group }),
    verb: flags.verb,
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(fromText === undefined
      ? {}
      : {
          resource: fromText.resource,
          apiGroup: flags.apiGroup ?? fromText.apiGroup,
          subresource: flags.subresource ?? fromText.subresource,
        }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.path === undefined ? {} : { path: flags.path }),
  });
  if ('error' in attributes) throw new UsageError(attributes.error);
  return attributes;
}

function readRequests(io: CliIo, file: string): RequestAttributes[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8'));
  } catch (err: unknown) {
    throw new VigilError(`cannot read requests ${file}: ${describeError(err)}`, {
      hint: 'Give a JSON array of request attribute objects.',
      cause: err,
    });
  }
  if (!Array.isArray(value)) throw new VigilError(`${file}: expected a JSON array of requests`, { hint: 'Wrap the requests in [ … ].' });
  return value.map((item: unknown, i) => {
    const attributes = requestAttributesFrom(item);
    if ('error' in attributes)
      throw new VigilError(`${file}: request ${i}: ${attributes.error}`, {
        hint: isRecord(item)
          ? 'Fields: user, groups, verb, namespace, apiGroup, resource, subresource, name, path.'
          : 'Each request is a JSON object.',
      });
    return attributes;
  });
}

function describeRequest(a: RequestAttributes): string {
  const who = a.user === undefined ? 'no user' : `${a.user.name}${a.user.groups.length > 0 ? ` (groups ${a.user.groups.join(', ')})` : ''}`;
  if (!a.isResourceRequest) return `${who} ${a.verb} ${a.path}`;
  const resource = `${a.resource}${a.apiGroup === '' ? '' : `.${a.apiGroup}`}${a.subresource === '' ? '' : `/${a.subresource}`}`;
  return `${who} ${a.verb} ${resource}${a.namespace === '' ? '' : ` in ${a.namespace}`}${a.name === '' ? '' : ` named ${a.name}`}`;
}

function decisionText(loaded: LoadedPolicy, a: RequestAttributes, d: AuditDecision): string {
  const line = d.rule === undefined ? undefined : loaded.parsed.ruleLines?.[d.rule];
  const rule =
    d.rule === undefined
      ? 'no rule matched (the default level is None)'
      : `rules[${d.rule}] (rule ${d.rule + 1} of ${loaded.policy.rules.length}${line === undefined ? '' : `, ${loaded.file}:${line}`})`;
  return [
    `request:     ${describeRequest(a)}`,
    `level:       ${d.level}`,
    `omitStages:  ${d.omitStages.length === 0 ? '(none)' : d.omitStages.join(', ')}`,
    `decided by:  ${rule}`,
    ...(d.level === 'None' ? [] : [`managedFields: ${d.omitManagedFields ? 'omitted' : 'kept'}`]),
  ].join('\n');
}

function evalCommand(io: CliIo): Command {
  return new Command('eval')
    .summary('which level and stages a policy gives a request, and which rule decided')
    .description(
      'Evaluate an audit.k8s.io/v1 Policy for one request (flags) or many (--requests FILE) exactly as the API server does: the first matching rule decides.',
    )
    .argument('<policy>', 'audit policy file (YAML or JSON)')
    .option('-u, --user <name>', 'authenticated user name (omit for a request with no user info at all)')
    .option('-g, --group <group>', 'a group of the user (repeatable, comma-separated)', listOption, [])
    .option(
      '--verb <verb>',
      'Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or lower-case HTTP method for --path',
    )
    .option(
      '-r, --resource <resource>',
      'resource, kubectl style: pods, pods/exec, deployments.apps, clusterroles.rbac.authorization.k8s.io',
    )
    .option('--api-group <group>', 'API group (overrides the group in --resource; "" is core)')
    .option('--subresource <name>', 'subresource (overrides the one in --resource)')
    .option('-n, --namespace <namespace>', 'namespace (omit for cluster-scoped resources)')
    .option('--name <name>', 'object name')
    .option('--path <url>', 'URL path of a non-resource request, e.g. /healthz or /metrics')
    .option('--requests <file>', 'JSON array of requests {user, groups, verb, namespace, apiGroup, resource, subresource, name, path}')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  vigil audit policy eval policy.yaml --user alice --group dev --verb create --resource pods/exec -n shop --name web-0
  vigil audit policy eval policy.yaml --verb get --path /healthz
  vigil audit policy eval policy.yaml --requests requests.json --format json

JSON output is [{ "level", "omitStages", "rule" }] in request order; "rule" is the 0-based index of the
deciding rule in the policy's rules, or null when none matched (level None).`,
    )
    .action((policyFile: string, flags: EvalFlags) => {
      const loaded = loadPolicyFile(io, policyFile);
      const checker = new PolicyChecker(loaded.policy);
      const requests = flags.requests === undefined ? [attributesFromFlags(flags)] : readRequests(io, flags.requests);
      const decisions = requests.map((r) => checker.evaluate(r));
      if (flags.format === 'json') {
        const out = decisions.map((d) => ({ level: d.level, omitStages: d.omitStages, rule: d.rule ?? null }));
        emit(io, `${JSON.stringify(flags.requests === undefined ? out[0] : out, null, 2)}\n`, undefined);
        return;
      }
      emit(io, `${requests.map((r, i) => decisionText(loaded, r, decisions[i] as AuditDecision)).join('\n\n')}\n`, undefined);
    });
}

const SEVERITY_ORDER = ['high', 'medium', 'low', 'info'] as const;
type LintSeverity = (typeof SEVERITY_ORDER)[number];

function lintCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('lint')
    .summary('find what an audit policy records that it should not, and misses that it should')
    .description(
      'Lint an audit policy: secret values logged (Secrets, ConfigMaps, TokenReviews at Request or above), security requests not logged, rules that can never match, no catch-all, RequestReceived doubling the volume, literal "*", managedFields.',
    )
    .argument('<policy>', 'audit policy file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity stands')
        .choices([...SEVERITY_ORDER, 'none'])
        .default('none'),
    )
    .action((file: string, flags: { format: 'text' | 'json'; failOn: LintSeverity | 'none' }) => {
      const loaded = loadPolicyFile(io, file);
      const findings = lintPolicy(loaded.policy);
      const rank = (s: LintSeverity): number => SEVERITY_ORDER.indexOf(s);
      findings.sort((a, b) => rank(a.severity) - rank(b.severity));
      const lineOf = (rule: number | undefined): number | undefined => (rule === undefined ? undefined : loaded.parsed.ruleLines?.[rule]);
      if (flags.format === 'json')
        emit(
          io,
          `${JSON.stringify(
            findings.map((f) => ({ ...f, line: lineOf(f.rule) ?? null })),
            null,
            2,
          )}\n`,
          undefined,
        );
      else {
        const lines = findings.map((f) => {
          const line = lineOf(f.rule);
          return `${file}${line === undefined ? '' : `:${line}`}: ${f.severity}: ${f.id}: ${f.message}\n  fix: ${f.hint}`;
        });
        emit(io, lines.length === 0 ? `${file}: no problems found\n` : `${lines.join('\n')}\n`, undefined);
      }
      const failOn = flags.failOn;
      setExit(failOn !== 'none' && findings.some((f) => rank(f.severity) <= rank(failOn)) ? EXIT.findings : EXIT.ok);
    });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function costCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('cost')
    .summary('how many events and bytes a policy would record, replaying a real log')
    .description(
      'Replay an audit log through a policy and say how many requests, events and bytes each level (and each rule) would record, beside the log as it is.',
    )
    .argument('<policy>', 'audit policy file')
    .argument('<logs...>', 'audit logs (files, folders, .gz, - for stdin)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, logs: string[], flags: { format: 'text' | 'json' }) => {
      const loaded = loadPolicyFile(io, file);
      const cost = new PolicyCostAccumulator(loaded.policy);
      const counts = emptyCounts();
      let problems = 0;
      for await (const item of readAuditFiles(logs, counts, io.readStdin === undefined ? {} : { stdin: stdinOf(io.readStdin) })) {
        if (item.kind === 'problem') {
          if (problems++ < 20) io.stderr.write(`vigil: ${formatSourceLocation(item.problem.location)}: ${item.problem.message}\n`);
          continue;
        }
        cost.add(loggedEventOf(item.event));
      }
      if (counts.events === 0) {
        io.stderr.write('vigil: no readable audit event in the logs (exit 2)\n');
        setExit(EXIT.usage);
        return;
      }
      const result = cost.result();
      if (flags.format === 'json') {
        emit(io, `${JSON.stringify({ policy: file, ...result }, null, 2)}\n`, undefined);
        setExit(EXIT.ok);
        return;
      }
      const num = (n: number, w: number): string => String(n).padStart(w);
      const rows = AUDIT_LEVELS.map((level) => {
        const c = result.projected.byLevel[level];
        return `  ${level.padEnd(16)} ${num(c.requests, 10)} ${num(c.events, 10)} ${formatBytes(c.bytes).padStart(10)}`;
      });
      const ruleRows = result.byRule.map((r) => {
        const line = r.rule < 0 ? undefined : loaded.parsed.ruleLines?.[r.rule];
        const name = r.rule < 0 ? 'no rule' : `rules[${r.rule}]${line === undefined ? '' : ` (line ${line})`}`;
        return `  ${name.padEnd(22)} ${r.level.padEnd(16)} ${num(r.cost.requests, 9)} ${num(r.cost.events, 9)} ${formatBytes(r.cost.bytes).padStart(10)}`;
      });
      const ratio = result.logged.bytes === 0 ? 0 : result.projected.bytes / result.logged.bytes;
      const out = [
        `${counts.events} events from ${counts.files} file(s) (${formatBytes(result.logged.bytes)}) replayed through ${file}:`,
        '',
        `  ${'level'.padEnd(16)} ${'requests'.padStart(10)} ${'events'.padStart(10)} ${'bytes'.padStart(10)}`,
        ...rows,
        `  ${'total'.padEnd(16)} ${''.padStart(10)} ${num(result.projected.events, 10)} ${formatBytes(result.projected.bytes).padStart(10)}   (${(ratio * 100).toFixed(0)}% of the log as recorded)`,
        '',
        `  ${'deciding rule'.padEnd(22)} ${'level'.padEnd(16)} ${'requests'.padStart(9)} ${'events'.padStart(9)} ${'bytes'.padStart(10)}`,
        ...ruleRows,
        ...(result.missingBodies > 0
          ? ['', `note: ${result.missingBodies} event(s) would carry bodies the log does not have; their size is a lower bound.`]
          : []),
        ...(result.estimatedStageEvents > 0
          ? [
              `note: ${result.estimatedStageEvents} stage event(s) (RequestReceived/ResponseStarted) the log omits were estimated from metadata sizes.`,
            ]
          : []),
      ];
      emit(io, `${out.join('\n')}\n`, undefined);
      setExit(EXIT.ok);
    });
}

function coverageCommand(io: CliIo, setExit: (code: number) => void): Command {
  return withRuleFlags(
    new Command('coverage')
      .summary('which detection rules a policy leaves blind')
      .description(
        'For every detection rule (built-in and --rules), check that the policy logs the requests it matches, at the level it reads (Request for bodies, RequestResponse for responses) and at the stages it looks at.',
      )
      .argument('<policy>', 'audit policy file'),
  )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--fail-on-blind', 'exit 1 when a rule is blind')
    .action((file: string, flags: RuleFlags & { format: 'text' | 'json'; failOnBlind?: boolean }) => {
      const loaded = loadPolicyFile(io, file);
      const rules = loadRulesForCli(io, flags, {});
      const results = policyCoverage(
        loaded.policy,
        rules.map((r) => ({ id: r.id, requires: r.requires.level, steps: r.steps.map((s) => s.match) })),
      );
      if (flags.format === 'json') emit(io, `${JSON.stringify(results, null, 2)}\n`, undefined);
      else {
        const count = (s: string): number => results.filter((r) => r.status === s).length;
        const lines = results
          .filter((r) => r.status !== 'covered')
          .map((r) => {
            const gaps = r.gaps.slice(0, 6).map((g) => `    ${g}`);
            if (r.gaps.length > 6) gaps.push(`    … and ${r.gaps.length - 6} more`);
            return `${r.status.toUpperCase().padEnd(7)} ${r.id} (needs ${r.requires})\n${gaps.join('\n')}`;
          });
        const summary = `${results.length} rules: ${count('covered')} covered, ${count('partial')} partly blind, ${count('blind')} blind under ${file}`;
        emit(io, `${lines.length > 0 ? `${lines.join('\n')}\n\n` : ''}${summary}\n`, undefined);
      }
      setExit(flags.failOnBlind === true && results.some((r) => r.status === 'blind') ? EXIT.findings : EXIT.ok);
    });
}

/** `vigil audit policy …`: evaluate, lint, cost and coverage of an audit policy. */
export function auditPolicyCommand(io: CliIo, setExit: (code: number) => void): Command {
  const policy = new Command('policy')
    .summary('evaluate, lint and cost audit policies')
    .description('Work with an audit.k8s.io/v1 Policy (--audit-policy-file).');
  for (const sub of [evalCommand(io), lintCommand(io, setExit), costCommand(io, setExit), coverageCommand(io, setExit)])
    policy.addCommand(sub.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  return policy;
}
