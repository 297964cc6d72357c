import { Environment, type ASTNode } from '@marcbachmann/cel-js';

import type { AuditLevel } from '../analysis/audit-policy/types.js';
import { isRecord, type JsonRecord } from '../k8s/guards.js';
import type { AuditContext } from './context.js';
import type { AuditEvent } from './event.js';
import { queryValues, serviceAccountNamespace } from './fields.js';
import { Bail, compileFast, ERR } from './cel-fast.js';
import type { CompiledCondition, StepContext } from './rule.js';

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
};

// Several rules ask for the pod specs of the same body: compute them once per object.
const podSpecCache = new WeakMap<object, Record<string, unknown>[]>();

/** Pod specs inside any object: a Pod, a workload's template, a CronJob's job template, a PodTemplate. */
export function podSpecsOf(value: unknown): Record<string, unknown>[] {
  if (!isRecord(value)) return [];
  let cached = podSpecCache.get(value);
  if (cached === undefined) {
    cached = findPodSpecs(value);
    podSpecCache.set(value, cached);
  }
  return cached;
}

function findPodSpecs(value: JsonRecord): Record<string, unknown>[] {
  if (typeof value.kind === 'string') {
    // Where each kind keeps its pod spec (k8s/pod-templates.ts TEMPLATE_PATHS, without the pointers).
    const path = POD_SPEC_PATHS[value.kind];
    if (path !== undefined) {
      let current: unknown = value;
      for (const key of path) current = isRecord(current) ? current[key] : undefined;
      if (isRecord(current)) return [current];
    }
  }
  const spec = value.spec;
  // A bare pod spec (a patch body, or a Pod without kind).
  if (isRecord(spec) && Array.isArray(spec.containers)) return [spec];
  return [];
}

const containerCache = new WeakMap<object, unknown[]>();
const volumeCache = new WeakMap<object, unknown[]>();

/** Every container (regular, init, ephemeral) of every pod spec in an object. */
export function containersOfObject(value: unknown): unknown[] {
  if (!isRecord(value)) return [];
  let cached = containerCache.get(value);
  if (cached === undefined) {
    cached = findContainers(value);
    containerCache.set(value, cached);
  }
  return cached;
}

function findContainers(value: JsonRecord): unknown[] {
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
  if (!isRecord(value)) return [];
  let cached = volumeCache.get(value);
  if (cached === undefined) {
    cached = podSpecsOf(value).flatMap((spec) => (Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : []));
    volumeCache.set(value, cached);
  }
  return cached;
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
    .registerVariable('previous', 'list');
  for (const fn of auditFunctions(lists, holder)) env.registerFunction(fn.signature, fn.impl);
  for (const [name, values] of Object.entries(lists)) env.registerConstant(name, 'list<string>', [...values]);
  return env;
}

/** A function conditions can call: its CEL signature, the argument kinds the fast path checks, and its implementation. */
export interface AuditFunction {
  readonly name: string;
  readonly signature: string;
  /** `string`, `list` or `dyn` for each argument. */
  readonly args: readonly ('string' | 'list' | 'dyn')[];
  readonly impl: (...args: never[]) => unknown;
}

/** The functions of the audit CEL environment (shared by cel-js and the compiled fast path). */
export function auditFunctions(lists: Readonly<Record<string, readonly string[]>>, holder: ContextHolder): AuditFunction[] {
  const fn = (name: string, signature: string, args: AuditFunction['args'], impl: AuditFunction['impl']): AuditFunction => ({
    name,
    signature,
    args,
    impl,
  });
  return [
    fn('podSpecs', 'podSpecs(dyn): list', ['dyn'], (v: unknown) => podSpecsOf(v)),
    fn('containers', 'containers(dyn): list', ['dyn'], (v: unknown) => containersOfObject(v)),
    fn('volumes', 'volumes(dyn): list', ['dyn'], (v: unknown) => volumesOfObject(v)),
    fn('hostPaths', 'hostPaths(dyn): list<string>', ['dyn'], (v: unknown) =>
      volumesOfObject(v).flatMap((vol) => {
        const hp = (vol as Record<string, unknown>).hostPath;
        return isRecord(hp) && typeof hp.path === 'string' ? [hp.path] : [];
      }),
    ),
    fn('credentialKeys', 'credentialKeys(dyn): list<string>', ['dyn'], (v: unknown) => credentialKeys(v)),
    fn('query', 'query(string, string): list<string>', ['string', 'string'], (uri: string, name: string) => queryValues(uri, name)),
    fn('startsWithAny', 'startsWithAny(string, list<string>): bool', ['string', 'list'], (s: string, prefixes: string[]) =>
      prefixes.some((p) => s.startsWith(p)),
    ),
    fn('isServiceAccount', 'isServiceAccount(string): bool', ['string'], (s: string) => serviceAccountNamespace(s) !== undefined),
    fn('serviceAccountNamespace', 'serviceAccountNamespace(string): string', ['string'], (s: string) => serviceAccountNamespace(s) ?? ''),
    fn('isSystem', 'isSystem(string): bool', ['string'], (user: string) => isSystemIdentity(user, lists)),
    fn('hasContext', 'hasContext(): bool', [], () => holder.context !== undefined),
    fn(
      'secretConsumers',
      'secretConsumers(string, string): list<string>',
      ['string', 'string'],
      (ns: string, name: string) => holder.context?.secretConsumers(ns, name) ?? [],
    ),
  ];
}

const NO_PREVIOUS_VARS: readonly unknown[] = Object.freeze([]);

/** Variables a condition sees for an event. */
export function activation(event: AuditEvent, context: StepContext): Record<string, unknown> {
  return {
    event: event.raw,
    actor: event.actor,
    object: event.raw.requestObject ?? null,
    response: event.raw.responseObject ?? null,
    previous: context.previous.length === 0 ? NO_PREVIOUS_VARS : context.previous.map((p) => ({ event: p.raw, actor: p.actor })),
  };
}

/** What a failed evaluation on the fast path reports (one shared instance: errors are counted, not inspected). */
const EVALUATION_ERROR = new Error('the condition could not be evaluated (a missing field or a type mismatch)');

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
  fast?: { readonly constants: Readonly<Record<string, readonly string[]>>; readonly functions: readonly AuditFunction[] },
): { condition: CompiledCondition; requires: AuditLevel; compiled: boolean } | { error: string } {
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
  const compiled = fast === undefined ? undefined : compileFast(parsed.ast, fast.constants, fast.functions);
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
      if (compiled !== undefined) {
        try {
          const value = compiled(vars);
          if (value === ERR) return EVALUATION_ERROR;
          return value === true;
        } catch (err: unknown) {
          if (!(err instanceof Bail)) throw err;
          // A value the fast path does not model: let cel-js decide this event.
        }
      }
      return parsed(vars) === true;
    } catch (err: unknown) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };
  return { condition, requires: levelReadBy(parsed.ast), compiled: compiled !== undefined };
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
