import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { PolicyChecker } from '../analysis/audit-policy/evaluate.js';
import { formatPolicyProblem, parsePolicy, type PolicyParseResult } from '../analysis/audit-policy/parse.js';
import { requestAttributesFrom, splitResourceText } from '../analysis/audit-policy/request.js';
import type { AuditDecision, AuditPolicy, RequestAttributes } from '../analysis/audit-policy/types.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { isRecord } from '../k8s/guards.js';
import { emit, listOption, type CliIo } from './io.js';

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

/** `vigil audit policy …`: evaluate, lint, cost and coverage of an audit policy. */
export function auditPolicyCommand(io: CliIo): Command {
  const policy = new Command('policy')
    .summary('evaluate and lint audit policies')
    .description('Work with an audit.k8s.io/v1 Policy (--audit-policy-file).');
  policy.addCommand(evalCommand(io));
  return policy;
}
