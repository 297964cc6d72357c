import { Environment, type ASTNode } from '@marcbachmann/cel-js';

import type { AuditLevel } from '../analysis/audit-policy/types.js';
import { isRecord } from '../k8s/guards.js';
import { podTemplateOf } from '../k8s/pod-templates.js';
import type { KubeObject } from '../k8s/types.js';
import type { AuditContext } from './context.js';
import type { AuditEvent } from './event.js';
import { queryValues, serviceAccountNamespace } from './fields.js';
import type { CompiledCondition, StepContext } from './rule.js';

/** Pod specs inside any object: a Pod, a workload's template, a CronJob's job template, a PodTemplate. */
export function podSpecsOf(value: unknown): Record<string, unknown>[] {
  if (!isRecord(value)) return [];
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') {
    const template = podTemplateOf({ ...value, metadata: isRecord(value.metadata) ? value.metadata : {} } as unknown as KubeObject);
    if (template !== undefined) return [template.spec as Record<string, unknown>];
  }
  const spec = value.spec;
  // A bare pod spec (a patch body, or a Pod without kind).
  if (isRecord(spec) && Array.isArray(spec.containers)) return [spec];
  return [];
}

/** Every container (regular, init, ephemeral) of every pod spec in an object. */
export function containersOfObject(value: unknown): unknown[] {
  const out: unknown[] = [];
  for (const spec of podSpecsOf(value)) {
    for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
      const list = spec[kind];
      if (Array.isArray(list)) for (const c of list) if (isRecord(c)) out.push(c);
    }
  }
  return out;
}

function volumesOfObject(value: unknown): unknown[] {
  return podSpecsOf(value).flatMap((spec) => (Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : []));
}

// Key names and value shapes that mean a credential. Only key names are ever returned: values stay put.
const CREDENTIAL_KEY = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth)/i;
// `name = value` or `name: value` lines inside a file-like value (application.properties, .env, YAML).
const CREDENTIAL_ASSIGNMENT =
  /(?:^|\n)\s*(?:export\s+)?[\w.-]*(?:pass(?:word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key(?:[-_]?id)?|private[-_]?key|credential)[\w.-]*\s*[=:]\s*["']?[^\s"'#]+/i;
const CREDENTIAL_VALUE = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWT
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub token
  /\bxox[baprs]-[A-Za-z0-9-]{10,}/, // Slack token
  /:\/\/[^/\s:@]+:[^/\s@]+@/, // user:password@ in a URL
];

/** Keys of a ConfigMap-like `data` map whose name or value looks like a credential. */
export function credentialKeys(data: unknown): string[] {
  if (!isRecord(data)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') continue;
    if (
      (CREDENTIAL_KEY.test(key) && value.trim() !== '') ||
      CREDENTIAL_ASSIGNMENT.test(value) ||
      CREDENTIAL_VALUE.some((re) => re.test(value))
    )
      out.push(key);
  }
  return out;
}

/**
 * Whether a user name is the control plane's own: a prefix in the `system_identity_prefixes` list
 * (nodes, kube-controller-manager, kube-scheduler, the API server) or an exact name in
 * `system_controller_accounts` (the controllers' service accounts in kube-system). Rule files may
 * redefine both lists.
 */
export function isSystemIdentity(user: string, lists: Readonly<Record<string, readonly string[]>>): boolean {
  return (lists.system_identity_prefixes ?? []).some((p) => user.startsWith(p)) || (lists.system_controller_accounts ?? []).includes(user);
}

/** Holder for the context conditions can consult; set before evaluation (it may arrive after compilation). */
export interface ContextHolder {
  context?: AuditContext | undefined;
}

/**
 * The CEL environment of Vigil's audit rules. Variables:
 * - `event`: the audit event as logged (secret values redacted);
 * - `actor`: the identity the request acted as (`impersonatedUser`, else `user`): username, groups, uid, extra;
 * - `object` / `response`: `event.requestObject` / `event.responseObject`, or null;
 * - `previous`: for sequence steps, the earlier steps' events as `{event, actor}`.
 * Functions: `podSpecs`, `containers`, `volumes`, `hostPaths`, `credentialKeys`, `query`,
 * `startsWithAny`, `isSystem`, `isServiceAccount`, `serviceAccountNamespace`, `hasContext`, `secretConsumers`.
 * Lists from rule files are constants.
 */
export function auditCelEnvironment(lists: Readonly<Record<string, readonly string[]>>, holder: ContextHolder): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, unlistedVariablesAreDyn: false })
    .registerVariable('event', 'map')
    .registerVariable('actor', 'map')
    .registerVariable('object', 'dyn')
    .registerVariable('response', 'dyn')
    .registerVariable('previous', 'list')
    .registerFunction('podSpecs(dyn): list', (v: unknown) => podSpecsOf(v))
    .registerFunction('containers(dyn): list', (v: unknown) => containersOfObject(v))
    .registerFunction('volumes(dyn): list', (v: unknown) => volumesOfObject(v))
    .registerFunction('hostPaths(dyn): list<string>', (v: unknown) =>
      volumesOfObject(v).flatMap((vol) => {
        const hp = (vol as Record<string, unknown>).hostPath;
        return isRecord(hp) && typeof hp.path === 'string' ? [hp.path] : [];
      }),
    )
    .registerFunction('credentialKeys(dyn): list<string>', (v: unknown) => credentialKeys(v))
    .registerFunction('query(string, string): list<string>', (uri: string, name: string) => queryValues(uri, name))
    .registerFunction('startsWithAny(string, list<string>): bool', (s: string, prefixes: string[]) => prefixes.some((p) => s.startsWith(p)))
    .registerFunction('isServiceAccount(string): bool', (s: string) => serviceAccountNamespace(s) !== undefined)
    .registerFunction('serviceAccountNamespace(string): string', (s: string) => serviceAccountNamespace(s) ?? '')
    .registerFunction('isSystem(string): bool', (user: string) => isSystemIdentity(user, lists))
    .registerFunction('hasContext(): bool', () => holder.context !== undefined)
    .registerFunction(
      'secretConsumers(string, string): list<string>',
      (ns: string, name: string) => holder.context?.secretConsumers(ns, name) ?? [],
    );
  for (const [name, values] of Object.entries(lists)) env.registerConstant(name, 'list<string>', [...values]);
  return env;
}

/** Variables a condition sees for an event. */
function activation(event: AuditEvent, context: StepContext): Record<string, unknown> {
  return {
    event: event.raw,
    actor: event.actor,
    object: event.raw.requestObject ?? null,
    response: event.raw.responseObject ?? null,
    previous: context.previous.map((p) => ({ event: p.raw, actor: p.actor })),
  };
}

// The activation of the last event, shared by every condition that runs on it (rules run one event at a time).
let lastEvent: AuditEvent | undefined;
let lastVars: Record<string, unknown> = {};

/**
 * Compile a CEL condition once: parse and type-check it now (so a broken rule is reported when it
 * loads, with the column), return a function that evaluates it per event.
 */
export function compileCondition(
  env: Environment,
  expression: string,
): { condition: CompiledCondition; requires: AuditLevel } | { error: string } {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(expression);
  } catch (err: unknown) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const checked = parsed.check();
  if (!checked.valid) return { error: checked.error?.message ?? 'type check failed' };
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    return { error: `the condition must be a bool expression, this one gives ${checked.type ?? 'an unknown type'}` };
  const condition: CompiledCondition = (event, context) => {
    try {
      // Rules share an event's activation; sequence steps with earlier events get their own.
      let vars: Record<string, unknown>;
      if (context.previous.length === 0) {
        if (lastEvent !== event) {
          lastVars = activation(event, context);
          lastEvent = event;
        }
        vars = lastVars;
      } else vars = activation(event, context);
      return parsed(vars) === true;
    } catch (err: unknown) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };
  return { condition, requires: levelReadBy(parsed.ast) };
}

/** The audit level an expression needs: RequestResponse if it reads the response body, Request if the request body. */
export function levelReadBy(ast: ASTNode): AuditLevel {
  let level: AuditLevel = 'Metadata';
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as { op?: unknown; args?: unknown };
    if (typeof n.op !== 'string') return;
    const args = n.args;
    const names: string[] = [];
    if (n.op === 'id' && typeof args === 'string') names.push(args);
    if ((n.op === '.' || n.op === '.?') && Array.isArray(args) && typeof args[1] === 'string') names.push(args[1]);
    if (
      (n.op === '[]' || n.op === '[?]') &&
      Array.isArray(args) &&
      isRecord(args[1]) &&
      args[1].op === 'value' &&
      typeof args[1].args === 'string'
    )
      names.push(args[1].args);
    for (const name of names) {
      if (name === 'responseObject' || name === 'response') level = 'RequestResponse';
      else if ((name === 'requestObject' || name === 'object') && level !== 'RequestResponse') level = 'Request';
    }
    visit(args);
  };
  visit(ast);
  return level;
}
