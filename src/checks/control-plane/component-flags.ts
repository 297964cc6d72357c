/**
 * Command-line flags of the control-plane components as they run in static pods (kubeadm, minikube,
 * RKE2 and most self-managed clusters list them as Pods in kube-system) or as read from a flags file.
 * Flags are parsed the way the components' flag library (spf13/pflag) reads them: `--name=value` or
 * `--name value`, a bare boolean flag means true, the last occurrence of a scalar flag wins and list
 * flags (`--enable-admission-plugins`) accumulate across occurrences.
 */
import type { ResourceRef } from '../../core/resource-ref.js';
import { arrayOrEmpty, isRecord, stringMap } from '../../k8s/guards.js';
import type { KubeObject } from '../../k8s/types.js';

export const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;
export type Component = (typeof COMPONENTS)[number];

function isComponent(value: string): value is Component {
  return (COMPONENTS as readonly string[]).includes(value);
}

/**
 * Where control-plane flags are found: static Pods, and the `vigil.dev/v1alpha1 ControlPlaneFlags`
 * objects that `vigil scan --control-plane-flags` makes from a command line (see sources/flags-file.ts).
 */
export const CONTROL_PLANE_KINDS: readonly string[] = ['Pod', 'vigil.dev/ControlPlaneFlags'];

/** Loopback addresses: endpoints that only local clients need should listen only there (CIS 1.3.7, 1.4.2). */
export const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

/** Flags that are booleans in the components (`--profiling` alone means true; a following word is not its value). */
const BOOLEAN_FLAGS = new Set([
  'anonymous-auth',
  'profiling',
  'service-account-lookup',
  'service-account-extend-token-expiration',
  'allow-privileged',
  'enable-bootstrap-token-auth',
  'use-service-account-credentials',
  'client-cert-auth',
  'peer-client-cert-auth',
  'auto-tls',
  'peer-auto-tls',
  'enable-aggregator-routing',
  'enable-garbage-collector',
  'leader-elect',
  'contention-profiling',
  'audit-log-compress',
]);

/** One flag as written: its name, value and where it is in the object. */
export interface Flag {
  readonly name: string;
  /** Undefined for a non-boolean flag written without a value. */
  readonly value: string | undefined;
  /** Pointer to the argument that holds the flag. */
  readonly pointer: string;
}

/** A control-plane component's invocation inside a Pod. */
export interface Invocation {
  readonly component: Component;
  /** Pointer to the container that runs it. */
  readonly containerPointer: string;
  readonly flags: readonly Flag[];
  /** Where a missing flag would be added: the container's `args` when it has them, else its `command`. */
  readonly missingPointer: string;
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/** Parse argument strings (with their pointers) into flags. */
export function parseFlags(args: readonly { text: string; pointer: string }[]): Flag[] {
  const flags: Flag[] = [];
  for (let i = 0; i < args.length; i++) {
    const { text, pointer } = args[i] as { text: string; pointer: string };
    const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(?:=(.*))?$/s.exec(text);
    if (m === null) continue;
    const name = m[1] as string;
    if (m[2] !== undefined) {
      flags.push({ name, value: m[2], pointer });
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      flags.push({ name, value: 'true', pointer });
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.text.startsWith('-')) {
      flags.push({ name, value: next.text, pointer });
      i++;
    } else {
      flags.push({ name, value: undefined, pointer });
    }
  }
  return flags;
}

/**
 * The control-plane component a Pod runs, with its flags: a Pod in kube-system with a container whose
 * command is the component's binary (also through hyperkube), or, for images that use their
 * entrypoint, the container named after the component in a Pod labelled `component: <name>`.
 */
export function invocationOf(object: KubeObject, ref: ResourceRef): Invocation | undefined {
  if (ref.kind === 'ControlPlaneFlags' && ref.apiVersion.startsWith('vigil.dev/')) return flagsObjectInvocation(object);
  if (ref.kind !== 'Pod' || ref.apiVersion !== 'v1' || ref.namespace !== 'kube-system' || !isRecord(object.spec)) return undefined;
  const containers = arrayOrEmpty(object.spec.containers);
  const label = stringMap(object.metadata.labels).component;
  for (let index = 0; index < containers.length; index++) {
    const container = containers[index];
    if (!isRecord(container)) continue;
    const containerPointer = `/spec/containers/${index}`;
    const command = arrayOrEmpty(container.command);
    const args = arrayOrEmpty(container.args);
    let component: Component | undefined;
    let skip = 0;
    const first = typeof command[0] === 'string' ? basename(command[0]) : undefined;
    const second = typeof command[1] === 'string' ? command[1] : undefined;
    if (first !== undefined && isComponent(first)) {
      component = first;
      skip = 1;
    } else if (first === 'hyperkube' && second !== undefined && isComponent(second)) {
      component = second;
      skip = 2;
    } else if (command.length === 0 && label !== undefined && isComponent(label) && container.name === label) {
      component = label;
    }
    if (component === undefined) continue;
    const tokens: { text: string; pointer: string }[] = [];
    // etcd also reads every flag from an ETCD_<FLAG> environment variable; flags on the command line win.
    if (component === 'etcd') {
      arrayOrEmpty(container.env).forEach((env, i) => {
        if (!isRecord(env) || typeof env.name !== 'string' || typeof env.value !== 'string' || !env.name.startsWith('ETCD_')) return;
        const flag = env.name.slice(5).toLowerCase().replaceAll('_', '-');
        tokens.push({ text: `--${flag}=${env.value}`, pointer: `${containerPointer}/env/${i}/value` });
      });
    }
    command.forEach((text, i) => {
      if (i >= skip && typeof text === 'string') tokens.push({ text, pointer: `${containerPointer}/command/${i}` });
    });
    args.forEach((text, i) => {
      if (typeof text === 'string') tokens.push({ text, pointer: `${containerPointer}/args/${i}` });
    });
    return {
      component,
      containerPointer,
      flags: parseFlags(tokens),
      missingPointer: `${containerPointer}/${args.length > 0 ? 'args' : 'command'}`,
    };
  }
  return undefined;
}

/** A command line read from a flags file: `component` and its `args`. */
function flagsObjectInvocation(object: KubeObject): Invocation | undefined {
  const component = object.component;
  if (typeof component !== 'string' || !isComponent(component)) return undefined;
  const tokens: { text: string; pointer: string }[] = [];
  arrayOrEmpty(object.args).forEach((text, i) => {
    if (typeof text === 'string') tokens.push({ text, pointer: `/args/${i}` });
  });
  return { component, containerPointer: '', flags: parseFlags(tokens), missingPointer: '/args' };
}

/** The effective occurrence of a scalar flag: the last one (pflag overwrites). */
export function flagOf(invocation: Invocation, name: string): Flag | undefined {
  for (let i = invocation.flags.length - 1; i >= 0; i--) {
    const flag = invocation.flags[i] as Flag;
    if (flag.name === name) return flag;
  }
  return undefined;
}

/** A flag's value when it is set to something non-empty. */
export function flagValue(invocation: Invocation, name: string): string | undefined {
  const value = flagOf(invocation, name)?.value?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A boolean flag's effective value (`strconv.ParseBool` spellings), the default when unset, undefined when unparsable. */
export function boolFlag(invocation: Invocation, name: string, defaultValue: boolean): boolean | undefined {
  const flag = flagOf(invocation, name);
  if (flag === undefined) return defaultValue;
  const value = flag.value ?? 'true';
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** A list flag: every occurrence's comma-separated items, in order, with the pointer of the last occurrence. */
export function listFlag(invocation: Invocation, name: string): { items: string[]; pointer: string | undefined } {
  const items: string[] = [];
  let pointer: string | undefined;
  for (const flag of invocation.flags) {
    if (flag.name !== name || flag.value === undefined) continue;
    pointer = flag.pointer;
    for (const item of flag.value.split(',')) if (item.trim() !== '') items.push(item.trim());
  }
  return { items, pointer };
}

/** Every invocation of `component` among some Pods (for checks that relate components to each other). */
export function invocationsIn<E extends { readonly object: KubeObject; readonly ref: ResourceRef }>(
  entries: readonly E[],
  component: Component,
): { entry: E; invocation: Invocation }[] {
  const out: { entry: E; invocation: Invocation }[] = [];
  for (const entry of entries) {
    const invocation = invocationOf(entry.object, entry.ref);
    if (invocation?.component === component) out.push({ entry, invocation });
  }
  return out;
}

/**
 * The invocation of `component` in an object-check subject, or undefined after marking the subject
 * not applicable (any other Pod, or any Pod outside kube-system).
 */
export function invocationFor(
  component: Component,
  subject: { readonly object: KubeObject; readonly entry: { readonly ref: ResourceRef } },
  ctx: { notApplicable(): void },
): Invocation | undefined {
  const invocation = invocationOf(subject.object, subject.entry.ref);
  if (invocation?.component !== component) {
    ctx.notApplicable();
    return undefined;
  }
  return invocation;
}
