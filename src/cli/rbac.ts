import { readFileSync } from 'node:fs';

import { Command, Option } from 'commander';

import { API_RESOURCES, isClusterScopedResource } from '../analysis/rbac/api-resources.js';
import { describeGrant, describeObject, describeSubject, grantJson, objectJson, unresolvedJson } from '../analysis/rbac/describe.js';
import type { PolicyRule } from '../analysis/rbac/policy-rule.js';
import { RbacIndex, type CanResult, type GrantScope } from '../analysis/rbac/rbac-index.js';
import { describeRequest, nonResourceRequest, resourceRequest, type AccessRequest } from '../analysis/rbac/request.js';
import { authenticatedUser, type UserInfo } from '../analysis/rbac/user-info.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { Inventory } from '../inventory/inventory.js';
import { isRecord } from '../k8s/guards.js';
import { loadInputs } from '../sources/load-inputs.js';
import { emit, EXIT, listOption, type CliIo } from './io.js';
import { graphDot, graphMermaid, rbacGraph, subjectsReport, subjectsText } from './rbac-output.js';

/*
 * `vigil rbac can | who-can | subjects | graph`: RBAC questions answered from manifests or a cluster
 * dump, exactly as the API server's authorizer would answer them. Documented in docs/rbac.md.
 */

// kubectl auth can-i's known verbs; others get the same warning kubectl prints.
const RESOURCE_VERBS = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'use',
  'bind',
  'impersonate',
  '*',
  'approve',
  'sign',
  'escalate',
  'attest',
]);
const NON_RESOURCE_VERBS = new Set(['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*']);

/** What a RESOURCE argument names. */
export type Target =
  | {
      readonly kind: 'resource';
      readonly resource: string;
      readonly subresource: string;
      readonly apiGroup: string;
      readonly known: boolean;
    }
  | { readonly kind: 'nonResource'; readonly path: string };

/**
 * Parse `TYPE[.GROUP][/SUBRESOURCE]` or a non-resource URL (`/healthz`). Like kubectl, the type is
 * lower-cased and a bare type is resolved to its group (`deployments` → `apps`); unlike kubectl,
 * `pods/exec` names a subresource, not an object (use --name for that).
 */
export function parseTarget(arg: string, subresourceFlag: string | undefined): Target {
  if (arg.startsWith('/')) {
    if (subresourceFlag !== undefined) throw new UsageError('--subresource cannot be used with a non-resource URL');
    return { kind: 'nonResource', path: arg };
  }
  const lower = arg.toLowerCase();
  const slash = lower.indexOf('/');
  const typeAndGroup = slash === -1 ? lower : lower.slice(0, slash);
  const fromArg = slash === -1 ? '' : lower.slice(slash + 1);
  if (fromArg !== '' && subresourceFlag !== undefined && fromArg !== subresourceFlag) {
    throw new UsageError(`"${arg}" names subresource "${fromArg}" but --subresource says "${subresourceFlag}"`);
  }
  const subresource = fromArg !== '' ? fromArg : (subresourceFlag ?? '');
  if (typeAndGroup === '') throw new UsageError(`"${arg}" names no resource type`);
  if (typeAndGroup === '*') return { kind: 'resource', resource: '*', subresource, apiGroup: '', known: true };
  const dot = typeAndGroup.indexOf('.');
  if (dot !== -1) {
    const resource = typeAndGroup.slice(0, dot);
    const apiGroup = typeAndGroup.slice(dot + 1);
    return { kind: 'resource', resource, subresource, apiGroup, known: API_RESOURCES.get(resource)?.group === apiGroup };
  }
  const known = API_RESOURCES.get(typeAndGroup);
  return { kind: 'resource', resource: typeAndGroup, subresource, apiGroup: known?.group ?? '', known: known !== undefined };
}

interface NamespaceFlags {
  namespace?: string;
  allNamespaces?: boolean;
}

/**
 * The request namespace: -n as given; -A → all namespaces (`''`); otherwise `default` for a namespaced
 * resource (kubectl's default context namespace) and none for a known cluster-scoped one (a real
 * request for it carries no namespace).
 */
function namespaceFor(target: Target, flags: NamespaceFlags, warn: (text: string) => void): string {
  if (target.kind === 'nonResource') return '';
  if (flags.allNamespaces === true) return '';
  const clusterScoped = isClusterScopedResource(target.apiGroup, target.resource) === true;
  if (flags.namespace !== undefined) {
    if (clusterScoped)
      warn(
        `resource '${target.resource}' is not namespace scoped; a real request for it has no namespace (the answer below is for namespace ${flags.namespace})`,
      );
    return flags.namespace;
  }
  return clusterScoped ? '' : 'default';
}

function requestFor(verb: string, target: Target, namespace: string, name: string | undefined): AccessRequest {
  if (target.kind === 'nonResource') return nonResourceRequest(verb, target.path);
  return resourceRequest({
    verb,
    resource: target.resource,
    subresource: target.subresource,
    apiGroup: target.apiGroup,
    namespace,
    name: name ?? '',
  });
}

function checkVerb(verb: string, target: Target, warn: (text: string) => void): void {
  const known = target.kind === 'nonResource' ? NON_RESOURCE_VERBS : RESOURCE_VERBS;
  if (!known.has(verb)) warn(`verb '${verb}' is not a known verb`);
  if (target.kind === 'resource' && !target.known && target.resource !== '*') {
    warn(
      target.apiGroup === ''
        ? `'${target.resource}' is not a built-in resource type; checking it in the core group (write TYPE.GROUP for others)`
        : `'${target.resource}' is not a built-in resource of group '${target.apiGroup}'; checking it as written`,
    );
  }
}

interface LoadedRbac {
  readonly index: RbacIndex;
  readonly objects: number;
}

/** Load paths into an RBAC index; input problems go to stderr, missing paths are a usage error. */
async function loadRbac(paths: readonly string[], io: CliIo): Promise<LoadedRbac> {
  if (paths.length === 0) throw new UsageError('give at least one file or folder of manifests (or - for stdin)');
  const loaded = await loadInputs(paths, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
  const notFound = loaded.problems.filter((p) => p.code === 'not-found');
  if (notFound.length > 0)
    throw new UsageError(notFound.map((p) => `${p.location.file}: ${p.message}`).join('; '), { hint: 'Check the paths.' });
  const errors = loaded.problems.filter((p) => p.level === 'error');
  for (const p of errors.slice(0, 20))
    io.stderr.write(`vigil: ${p.location.file}${p.location.line === undefined ? '' : `:${p.location.line}`}: ${p.message}\n`);
  if (errors.length > 20) io.stderr.write(`vigil: … and ${errors.length - 20} more input errors\n`);
  const { inventory } = Inventory.from(loaded.objects);
  const index = RbacIndex.of(inventory);
  for (const p of index.problems.slice(0, 20)) {
    const where =
      p.entry.source === undefined
        ? describeObject(p.entry.ref)
        : `${p.entry.source.file}${p.entry.source.line === undefined ? '' : `:${p.entry.source.line}`}`;
    io.stderr.write(`vigil: ${where}: ${describeObject(p.entry.ref)} ${p.pointer}: ${p.message}\n`);
  }
  if (index.problems.length > 20) io.stderr.write(`vigil: … and ${index.problems.length - 20} more RBAC problems\n`);
  return { index, objects: inventory.size };
}

function userJson(user: UserInfo): { name: string; groups: readonly string[] } {
  return { name: user.name, groups: user.groups };
}

function requestJson(request: AccessRequest): Record<string, string> {
  return request.kind === 'nonResource'
    ? { verb: request.verb, path: request.path }
    : {
        verb: request.verb,
        apiGroup: request.apiGroup,
        resource: request.resource,
        subresource: request.subresource,
        namespace: request.namespace,
        name: request.name,
      };
}

function canJson(result: CanResult): { allowed: boolean; grants: ReturnType<typeof grantJson>[] } {
  return { allowed: result.allowed, grants: result.grants.map(grantJson) };
}

/** `kubectl auth can-i --list`'s table: one row per distinct rule (resources as `resource.group`). */
export function accessTable(rules: readonly PolicyRule[], privileged: boolean): string {
  const list = (values: readonly string[]): string => `[${values.join(' ')}]`;
  const rows = new Map<string, string[]>();
  if (privileged) rows.set('*', ['*.* (system:masters)', '[*]', '[]', '[*]']);
  for (const rule of rules) {
    const resources = rule.resources.flatMap((r) => rule.apiGroups.map((g) => (g === '' ? r : `${r}.${g}`)));
    const row = [resources.join(', '), list(rule.nonResourceURLs), list(rule.resourceNames), list(rule.verbs)];
    rows.set(row.join('\u0000'), row);
  }
  const body = [...rows.values()].sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1));
  const header = ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}

/** One query of `--queries`: a user, groups and the request attributes. */
export type QueryResult = { readonly user: UserInfo; readonly request: AccessRequest } | { readonly error: string };

const QUERY_FIELDS = new Set(['user', 'groups', 'verb', 'resource', 'subresource', 'apiGroup', 'namespace', 'name', 'path']);

/**
 * Read one query. Attributes are taken literally, as a SubjectAccessReview carries them (absent
 * apiGroup is the core group, absent namespace is all namespaces); a `resource` written
 * `pods/exec` is split into resource and subresource. Implicit groups are added as the
 * authenticators would, even when `groups` is given.
 */
export function parseQuery(value: unknown): QueryResult {
  if (!isRecord(value)) return { error: 'a query must be an object' };
  const unknown = Object.keys(value).filter((k) => !QUERY_FIELDS.has(k));
  if (unknown.length > 0) return { error: `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}` };
  const text = (field: string): string | undefined | { error: string } => {
    const v = value[field];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : { error: `"${field}" must be a string` };
  };
  const fields: Record<string, string | undefined> = {};
  for (const field of ['user', 'verb', 'resource', 'subresource', 'apiGroup', 'namespace', 'name', 'path']) {
    const v = text(field);
    if (typeof v === 'object') return v;
    fields[field] = v;
  }
  const groups = value.groups ?? [];
  if (!Array.isArray(groups) || !groups.every((g): g is string => typeof g === 'string'))
    return { error: '"groups" must be a list of strings' };
  if (fields.user === undefined || fields.user === '') return { error: '"user" is required' };
  if (fields.verb === undefined || fields.verb === '') return { error: '"verb" is required' };
  const user = authenticatedUser(fields.user, groups);
  if (fields.resource === undefined || fields.resource === '') {
    if (fields.path === undefined) return { error: 'give "resource" (a resource request) or "path" (a non-resource request)' };
    return { user, request: nonResourceRequest(fields.verb, fields.path) };
  }
  if (fields.path !== undefined) return { error: '"path" and "resource" cannot both be given' };
  let resource = fields.resource;
  let subresource = fields.subresource ?? '';
  const slash = resource.indexOf('/');
  if (slash !== -1) {
    if (subresource !== '') return { error: `"resource" "${resource}" already names a subresource` };
    subresource = resource.slice(slash + 1);
    resource = resource.slice(0, slash);
  }
  return {
    user,
    request: resourceRequest({
      verb: fields.verb,
      resource,
      subresource,
      apiGroup: fields.apiGroup ?? '',
      namespace: fields.namespace ?? '',
      name: fields.name ?? '',
    }),
  };
}

interface CanFlags extends NamespaceFlags {
  as?: string;
  list?: boolean;
  asGroup: string[];
  name?: string;
  subresource?: string;
  explain?: boolean;
  quiet?: boolean;
  format: 'text' | 'json';
  queries?: string;
}

async function readQueries(file: string, io: CliIo): Promise<unknown[]> {
  let text: string;
  try {
    text = file === '-' ? await (io.readStdin ?? (() => Promise.reject(new Error('no standard input'))))() : readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read queries ${file}: ${describeError(err)}`, {
      hint: 'Give a JSON file holding an array of queries.',
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err: unknown) {
    throw new VigilError(`queries ${file} is not JSON: ${describeError(err)}`, {
      hint: 'The file must hold a JSON array of query objects.',
      cause: err,
    });
  }
  if (!Array.isArray(parsed)) throw new VigilError(`queries ${file} must hold a JSON array`, { hint: 'Wrap the queries in [ … ].' });
  return parsed as unknown[];
}

function canCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('can')
    .summary('can a user do this? (like kubectl auth can-i, on manifests)')
    .description(
      'Answer whether a user, group or service account may make a request, exactly as the API server’s RBAC authorizer would, from the Roles, ClusterRoles and bindings in the given manifests. Exit 0 for yes, 1 for no, 2 for a usage or input error.',
    )
    .argument('<args...>', 'PATH… VERB RESOURCE (RESOURCE is TYPE[.GROUP][/SUBRESOURCE] or a URL path); with --queries, only PATH…')
    .option('--as <user>', 'the user to check: a name, or system:serviceaccount:NAMESPACE:NAME')
    .option(
      '--as-group <group>',
      'a group of the user (repeatable; implicit groups are added as the authenticators add them)',
      listOption,
      [],
    )
    .option('-n, --namespace <namespace>', 'the namespace of the request (default: default, or none for cluster-scoped resources)')
    .option('-A, --all-namespaces', 'check the request across all namespaces (namespace "")')
    .option('--name <name>', 'the name of the object (resourceNames rules need it)')
    .option('--subresource <subresource>', 'the subresource (same as RESOURCE/SUBRESOURCE)')
    .option('--explain', 'show every binding → role → rule that grants it, or why nothing does')
    .option('--list', 'list everything the user may do in the namespace (like kubectl auth can-i --list); arguments are only PATH…')
    .option('-q, --quiet', 'print nothing; only the exit code answers')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--queries <file>',
      'answer a JSON array of queries ({user, groups, verb, resource, subresource, apiGroup, namespace, name, path}); - for stdin',
    )
    .addHelpText(
      'after',
      `
Examples:
  vigil rbac can k8s/ --as jane get pods -n shop
  vigil rbac can k8s/ --as system:serviceaccount:ci:deployer create deployments.apps -n prod --explain
  vigil rbac can k8s/ --as jane --as-group dev create pods/exec -n shop
  vigil rbac can k8s/ --as system:anonymous get /version
  vigil rbac can k8s/ --as jane --list -n shop
  vigil rbac can k8s/ --queries queries.json --format json`,
    )
    .action(async (args: string[], flags: CanFlags) => {
      const warn = (text: string): void => {
        if (flags.quiet !== true) io.stderr.write(`Warning: ${text}\n`);
      };
      if (flags.queries !== undefined) {
        if (flags.as !== undefined)
          throw new UsageError('--queries and --as cannot be used together', { hint: 'Each query names its own user.' });
        if (flags.queries === '-' && args.includes('-'))
          throw new UsageError('standard input cannot hold both the manifests and the queries');
        const { index } = await loadRbac(args, io);
        const queries = await readQueries(flags.queries, io);
        let invalid = 0;
        const answers = queries.map((q, i) => {
          const parsed = parseQuery(q);
          if ('error' in parsed) {
            invalid++;
            io.stderr.write(`vigil: ${flags.queries ?? ''}: query ${i}: ${parsed.error}\n`);
            return { allowed: false, grants: [], error: parsed.error };
          }
          return canJson(index.can(parsed.user, parsed.request));
        });
        if (flags.format === 'json') emit(io, `${JSON.stringify(answers, null, 2)}\n`, undefined);
        else if (flags.quiet !== true)
          emit(
            io,
            answers.map((a) => ('error' in a ? `error - ${a.error}` : a.allowed ? 'yes' : 'no')).join('\n') +
              (answers.length > 0 ? '\n' : ''),
            undefined,
          );
        setExit(invalid > 0 ? EXIT.usage : EXIT.ok);
        return;
      }
      if (flags.as === undefined || flags.as === '')
        throw new UsageError('--as USER is required', { hint: 'Name the user to check, or system:serviceaccount:NAMESPACE:NAME.' });
      if (flags.list === true) {
        if (flags.name !== undefined || flags.subresource !== undefined) throw new UsageError('--list takes no --name or --subresource');
        const { index } = await loadRbac(args, io);
        const user = authenticatedUser(flags.as, flags.asGroup);
        const namespace = flags.allNamespaces === true ? '' : (flags.namespace ?? 'default');
        const rules = index.rulesFor(user, namespace);
        if (flags.format === 'json') {
          const data = {
            user: userJson(user),
            namespace,
            ...(rules.privileged ? { privileged: true } : {}),
            grants: rules.grants.map(grantJson),
            unresolved: rules.unresolved.map(unresolvedJson),
          };
          emit(io, `${JSON.stringify(data, null, 2)}\n`, undefined);
        } else if (flags.quiet !== true) {
          emit(
            io,
            accessTable(
              rules.grants.map((g) => g.rule.rule),
              rules.privileged,
            ),
            undefined,
          );
        }
        setExit(EXIT.ok);
        return;
      }
      if (args.length < 3)
        throw new UsageError('expected PATH… VERB RESOURCE', { hint: 'For example: vigil rbac can k8s/ --as jane get pods -n shop' });
      const [verb, resourceArg] = args.slice(-2) as [string, string];
      const target = parseTarget(resourceArg, flags.subresource);
      if (target.kind === 'nonResource' && flags.name !== undefined) throw new UsageError('--name cannot be used with a non-resource URL');
      checkVerb(verb, target, warn);
      const namespace = namespaceFor(target, flags, warn);
      const request = requestFor(verb, target, namespace, flags.name);
      const { index } = await loadRbac(args.slice(0, -2), io);
      const user = authenticatedUser(flags.as, flags.asGroup);
      const result = index.can(user, request);
      if (flags.format === 'json') {
        emit(
          io,
          `${JSON.stringify({ ...canJson(result), unresolved: result.unresolved.map(unresolvedJson), user: userJson(user), request: requestJson(request) }, null, 2)}\n`,
          undefined,
        );
      } else if (flags.quiet !== true) {
        const lines = [result.allowed ? 'yes' : 'no'];
        if (flags.explain === true) {
          lines.push(`  as User ${user.name} (groups: ${user.groups.join(', ') || 'none'}), ${describeRequest(request)}`);
          for (const g of result.grants) lines.push(`  granted by ${describeGrant(g)}`);
          for (const u of result.unresolved) lines.push(`  ${describeObject(u.binding)} would apply, but grants nothing: ${u.reason}`);
          if (!result.allowed && result.unresolved.length === 0) lines.push('  no binding that applies to this user grants it');
        }
        emit(io, `${lines.join('\n')}\n`, undefined);
      }
      setExit(result.allowed ? EXIT.ok : EXIT.findings);
    });
}

interface WhoCanFlags extends NamespaceFlags {
  name?: string;
  subresource?: string;
  format: 'text' | 'json';
}

function whoCanCommand(io: CliIo): Command {
  return new Command('who-can')
    .summary('who can do this?')
    .description(
      'List every user, group and service account that a binding allows to make a request, with the binding → role → rule that allows it (plus system:masters, which bypasses RBAC).',
    )
    .argument('<args...>', 'PATH… VERB RESOURCE (RESOURCE is TYPE[.GROUP][/SUBRESOURCE] or a URL path)')
    .option('-n, --namespace <namespace>', 'the namespace of the request (default: default, or none for cluster-scoped resources)')
    .option('-A, --all-namespaces', 'in any namespace: RoleBindings of every namespace count (each grant says where it holds)')
    .option('--name <name>', 'the name of the object (resourceNames rules need it)')
    .option('--subresource <subresource>', 'the subresource (same as RESOURCE/SUBRESOURCE)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  vigil rbac who-can k8s/ list secrets -n shop
  vigil rbac who-can k8s/ create pods/exec -A
  vigil rbac who-can k8s/ get nodes/proxy
  vigil rbac who-can k8s/ get /metrics --format json`,
    )
    .action(async (args: string[], flags: WhoCanFlags) => {
      if (args.length < 3)
        throw new UsageError('expected PATH… VERB RESOURCE', { hint: 'For example: vigil rbac who-can k8s/ list secrets -n shop' });
      const warn = (text: string): void => {
        io.stderr.write(`Warning: ${text}\n`);
      };
      const [verb, resourceArg] = args.slice(-2) as [string, string];
      const target = parseTarget(resourceArg, flags.subresource);
      checkVerb(verb, target, warn);
      const anywhere = flags.allNamespaces === true && target.kind === 'resource';
      const namespace = anywhere ? '' : namespaceFor(target, flags, warn);
      const request = requestFor(verb, target, namespace, flags.name);
      const scope: GrantScope = anywhere ? 'anywhere' : 'request';
      const { index } = await loadRbac(args.slice(0, -2), io);
      const entries = index.whoCan(request, scope);
      if (flags.format === 'json') {
        const data = {
          request: requestJson(request),
          scope: anywhere ? 'any-namespace' : 'request',
          subjects: entries.map((e) => ({ subject: objectJson(e.subject), grants: e.grants.map(grantJson) })),
        };
        emit(io, `${JSON.stringify(data, null, 2)}\n`, undefined);
        return;
      }
      const what = anywhere ? `${describeRequest(request).replace(' (cluster-wide)', '')} in any namespace` : describeRequest(request);
      const lines = [`who can ${what}:`];
      for (const entry of entries) {
        lines.push(`  ${describeSubject(entry.subject)}`);
        for (const g of entry.grants) {
          const where =
            g.via === 'rbac' ? (g.binding.kind === 'RoleBinding' ? ` (in namespace ${g.binding.namespace ?? ''})` : ' (cluster-wide)') : '';
          lines.push(`    ${describeGrant(g, { withSubject: false })}${where}`);
        }
      }
      emit(io, `${lines.join('\n')}\n`, undefined);
    });
}

function subjectsCommand(io: CliIo): Command {
  return new Command('subjects')
    .summary('every subject, what it can do, and its risky permissions')
    .description(
      'List every user, group and service account named by a binding: the bindings that apply to it (directly or through its groups), the roles they grant, and the risky permissions it holds (the ones the rbac/* checks report).',
    )
    .argument('<paths...>', 'files, folders, globs, or - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--risky', 'only subjects that hold a risky permission')
    .action(async (paths: string[], flags: { format: 'text' | 'json'; risky?: boolean }) => {
      const { index } = await loadRbac(paths, io);
      const report = subjectsReport(index).filter((s) => flags.risky !== true || s.risks.length > 0);
      emit(io, flags.format === 'json' ? `${JSON.stringify({ subjects: report }, null, 2)}\n` : subjectsText(report), undefined);
    });
}

function graphCommand(io: CliIo): Command {
  return new Command('graph')
    .summary('subjects → bindings → roles, as Graphviz DOT or Mermaid')
    .description(
      'Draw who is bound to what: subjects, their bindings, the roles they grant (missing roles in red), and aggregated ClusterRoles with the roles they aggregate. Bootstrap-policy bindings are left out unless --include-defaults.',
    )
    .argument('<paths...>', 'files, folders, globs, or - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['dot', 'mermaid']).default('dot'))
    .option('--include-defaults', 'include the bootstrap policy’s bindings (label kubernetes.io/bootstrapping=rbac-defaults)')
    .option('-o, --output <file>', 'write the graph to a file')
    .addHelpText(
      'after',
      `
Examples:
  vigil rbac graph k8s/ | dot -Tsvg > rbac.svg
  vigil rbac graph k8s/ --format mermaid -o rbac.mmd`,
    )
    .action(async (paths: string[], flags: { format: 'dot' | 'mermaid'; includeDefaults?: boolean; output?: string }) => {
      const { index } = await loadRbac(paths, io);
      const graph = rbacGraph(index, flags.includeDefaults === true ? { includeDefaults: true } : {});
      emit(io, flags.format === 'mermaid' ? graphMermaid(graph) : graphDot(graph), flags.output);
    });
}

/** `vigil rbac …`. */
export function rbacCommand(io: CliIo, setExit: (code: number) => void): Command {
  const rbac = new Command('rbac')
    .summary('RBAC: can, who-can, subjects, graph')
    .description('Answer RBAC questions from manifests exactly as the API server’s RBAC authorizer would.');
  for (const command of [canCommand(io, setExit), whoCanCommand(io), subjectsCommand(io), graphCommand(io)]) {
    rbac.addCommand(command.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  }
  return rbac;
}
