import picomatch from 'picomatch';

import { appendPointer, fieldPathOf } from '../core/json-pointer.js';
import { isRecord } from '../k8s/guards.js';
import { containersOf, podTemplateOf, type ContainerRef } from '../k8s/pod-templates.js';
import type { KubeObject } from '../k8s/types.js';
import type { MutationSettings } from './settings.js';

/** One JSON Patch (RFC 6902) operation; the webhook only ever adds what is missing. */
export interface PatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

/** A default that was set, for the report: `spec.containers[0].securityContext.allowPrivilegeEscalation=false`. */
export interface AppliedDefault {
  readonly path: string;
  readonly value: string;
}

export interface SafeDefaults {
  readonly patch: readonly PatchOperation[];
  readonly applied: readonly AppliedDefault[];
  /** Defaults deliberately not set, and why (`runAsNonRoot: the image's user is not known`). */
  readonly skipped: readonly string[];
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';

const NO_IMAGE = (): boolean => false;
// Compiled once per configuration (the list lives as long as the handler), not once per request.
const nonRootMatchers = new WeakMap<readonly string[], (image: string) => boolean>();

function nonRootImageMatcher(patterns: readonly string[]): (image: string) => boolean {
  if (patterns.length === 0) return NO_IMAGE;
  let matcher = nonRootMatchers.get(patterns);
  if (matcher === undefined) {
    matcher = picomatch([...patterns]);
    nonRootMatchers.set(patterns, matcher);
  }
  return matcher;
}

/** Which containers of the pod template may be given defaults. */
export type ContainerScope = { readonly kind: 'all' } | { readonly kind: 'new-ephemeral'; readonly existing: ReadonlySet<string> };

function recordAt(parent: unknown, key: string): Readonly<Record<string, unknown>> | undefined {
  return isRecord(parent) && isRecord(parent[key]) ? parent[key] : undefined;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * The missing safe defaults of a pod template as a JSON Patch: pod-level seccomp `RuntimeDefault`,
 * and per container `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`, and
 * `runAsNonRoot: true` where the container's user is known not to be root. Only missing fields are
 * added — an explicit value, even an unsafe one, is the owner's decision and is left to validation —
 * and defaults the API server would refuse are never added (`allowPrivilegeEscalation: false` beside
 * `privileged: true` or `CAP_SYS_ADMIN`, Linux settings on Windows pods).
 */
export function safeDefaults(object: KubeObject, settings: MutationSettings, scope: ContainerScope = { kind: 'all' }): SafeDefaults {
  const template = podTemplateOf(object);
  if (template === undefined) return { patch: [], applied: [], skipped: [] };
  const patch: PatchOperation[] = [];
  const applied: AppliedDefault[] = [];
  const skipped: string[] = [];
  const spec = template.spec;
  const specPointer = template.specPointer;
  const os = recordAt(spec, 'os');
  if (os?.name === 'windows') {
    return { patch, applied, skipped: ['Windows pod: the Linux security settings do not apply'] };
  }
  const podContext = recordAt(spec, 'securityContext');
  const add = (path: string, value: unknown, report: Readonly<Record<string, string>>): void => {
    patch.push({ op: 'add', path, value });
    for (const [pointer, text] of Object.entries(report)) applied.push({ path: fieldPathOf(pointer), value: text });
  };

  if (settings.seccompProfile && scope.kind === 'all') {
    const annotations = recordAt(template.metadata, 'annotations');
    if (annotations?.[SECCOMP_POD_ANNOTATION] !== undefined) {
      skipped.push(`seccompProfile: the pod sets the ${SECCOMP_POD_ANNOTATION} annotation`);
    } else if (isUnset(podContext?.seccompProfile)) {
      const contextPointer = appendPointer(specPointer, 'securityContext');
      const seccompPointer = appendPointer(contextPointer, 'seccompProfile', 'type');
      if (podContext === undefined)
        add(contextPointer, { seccompProfile: { type: 'RuntimeDefault' } }, { [seccompPointer]: 'RuntimeDefault' });
      else add(appendPointer(contextPointer, 'seccompProfile'), { type: 'RuntimeDefault' }, { [seccompPointer]: 'RuntimeDefault' });
    }
  }

  const containers = containersOf(spec, specPointer).filter(
    (c) => scope.kind === 'all' || (c.kind === 'ephemeralContainers' && !scope.existing.has(String(c.container.name))),
  );
  const nonRootImage = nonRootImageMatcher(settings.nonRootImages);
  const podRunAsUser = podContext?.runAsUser;
  const podRunAsNonRoot = podContext?.runAsNonRoot;

  for (const ref of containers) defaultsOfContainer(ref);

  function defaultsOfContainer(ref: ContainerRef): void {
    const name = typeof ref.container.name === 'string' ? ref.container.name : `#${ref.index}`;
    const context = recordAt(ref.container, 'securityContext');
    const contextPointer = appendPointer(ref.pointer, 'securityContext');
    const wanted: Record<string, unknown> = {};
    const report: Record<string, string> = {};
    const privileged = context?.privileged === true;
    const capabilities = recordAt(context, 'capabilities');
    const added = Array.isArray(capabilities?.add) ? capabilities.add : [];
    const sysAdmin = added.some((c) => c === 'CAP_SYS_ADMIN' || c === 'SYS_ADMIN');

    if (settings.allowPrivilegeEscalation && isUnset(context?.allowPrivilegeEscalation)) {
      // The API server refuses allowPrivilegeEscalation=false with privileged or CAP_SYS_ADMIN (ValidateSecurityContext).
      if (privileged) skipped.push(`allowPrivilegeEscalation: container "${name}" is privileged`);
      else if (sysAdmin) skipped.push(`allowPrivilegeEscalation: container "${name}" adds CAP_SYS_ADMIN`);
      else {
        wanted.allowPrivilegeEscalation = false;
        report[appendPointer(contextPointer, 'allowPrivilegeEscalation')] = 'false';
      }
    }
    let capabilityOp: PatchOperation | undefined;
    if (settings.dropAllCapabilities && !privileged) {
      const drop = capabilities?.drop;
      const dropPointer = appendPointer(contextPointer, 'capabilities', 'drop');
      if (capabilities === undefined) {
        wanted.capabilities = { drop: ['ALL'] };
        report[dropPointer] = '["ALL"]';
      } else if (isUnset(drop)) {
        capabilityOp = { op: 'add', path: dropPointer, value: ['ALL'] };
        report[dropPointer] = '["ALL"]';
      } else if (Array.isArray(drop) && !drop.includes('ALL')) {
        capabilityOp = { op: 'add', path: `${dropPointer}/-`, value: 'ALL' };
        report[dropPointer] = `${JSON.stringify(drop)} + "ALL"`;
      }
    }
    if (settings.runAsNonRoot && isUnset(context?.runAsNonRoot) && podRunAsNonRoot !== true) {
      const runAsUser = context?.runAsUser ?? podRunAsUser;
      const image = typeof ref.container.image === 'string' ? ref.container.image : '';
      if (podRunAsNonRoot === false) skipped.push(`runAsNonRoot: the pod sets runAsNonRoot: false`);
      else if (runAsUser === 0) skipped.push(`runAsNonRoot: container "${name}" runs as UID 0`);
      else if ((typeof runAsUser === 'number' && runAsUser > 0) || nonRootImage(image)) {
        wanted.runAsNonRoot = true;
        report[appendPointer(contextPointer, 'runAsNonRoot')] = 'true';
      } else {
        skipped.push(
          `runAsNonRoot: the user of container "${name}"'s image is not known (set runAsUser, or list the image under admission.mutation.nonRootImages)`,
        );
      }
    }
    if (Object.keys(wanted).length === 0 && capabilityOp === undefined) return;
    if (context === undefined) {
      add(contextPointer, wanted, report);
      return;
    }
    const reportFor = (key: string): Record<string, string> =>
      Object.fromEntries(Object.entries(report).filter(([pointer]) => pointer.startsWith(appendPointer(contextPointer, key))));
    for (const [key, value] of Object.entries(wanted)) add(appendPointer(contextPointer, key), value, reportFor(key));
    if (capabilityOp !== undefined) add(capabilityOp.path, capabilityOp.value, reportFor('capabilities'));
  }

  return { patch, applied, skipped };
}

/** Names of the ephemeral containers a pod already has (only new ones may be given defaults on update). */
export function ephemeralContainerNames(object: KubeObject | undefined): Set<string> {
  const spec = object === undefined ? undefined : recordAt(object, 'spec');
  const list = spec?.ephemeralContainers;
  return new Set(Array.isArray(list) ? list.map((c: unknown) => (isRecord(c) ? String(c.name) : '')) : []);
}
