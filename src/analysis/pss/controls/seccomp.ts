import { childPointer } from '../pointer.js';
import { isRecord, type JsonRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ControlRule, ViolationField } from '../control.js';
import type { PreparedPod } from '../pod-view.js';
import { missingFields } from './missing-fields.js';
import { containersPhrase, goQuote, plural, quoteList, settersPhrase, sortedSet } from '../text.js';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function allowedAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

/** Policy v1.0–v1.18: only the alpha seccomp annotations are judged; any profile but unconfined-like ones is fine. */
const annotationRule: ControlRule = (pod) => {
  const entries: string[] = [];
  const fields: ViolationField[] = [];
  const judge = (key: string, container: string | undefined): void => {
    const value = pod.annotations[key];
    if (value === undefined || allowedAnnotation(value)) return;
    const entry = `${key}=${goQuote(value)}`;
    entries.push(entry);
    fields.push({
      pointer: childPointer(pod.metadataPointer, 'annotations', key),
      ...(container === undefined ? {} : { container }),
      problem: `forbidden annotation ${entry}`,
    });
  };
  judge(POD_ANNOTATION, undefined);
  for (const c of pod.containers) judge(`${CONTAINER_ANNOTATION_PREFIX}${c.name}`, c.name);
  if (entries.length === 0) return undefined;
  // A set upstream: two containers with one name give one entry.
  const distinct = sortedSet(entries);
  return {
    reason: 'seccompProfile',
    detail: `${plural('forbidden annotation', 'forbidden annotations', distinct.length)} ${distinct.join(', ')}`,
    fields,
  };
};

function allowedType(type: string): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/** The profile's type when a profile is set with a type other than RuntimeDefault or Localhost. */
function badType(securityContext: JsonRecord | undefined): string | undefined {
  const profile = securityContext?.seccompProfile;
  if (!isRecord(profile)) return undefined;
  const type = typeof profile.type === 'string' ? profile.type : '';
  return allowedType(type) ? undefined : type;
}

/** Explicitly bad seccomp profiles on the pod and its containers. */
function explicitlyBad(pod: PreparedPod): { podType?: string; containers: string[]; types: string[]; fields: ViolationField[] } {
  const fields: ViolationField[] = [];
  const types: string[] = [];
  const podType = badType(pod.securityContext);
  if (podType !== undefined) {
    types.push(podType);
    fields.push({
      pointer: childPointer(pod.specPointer, 'securityContext', 'seccompProfile', 'type'),
      problem: `pod must not set securityContext.seccompProfile.type to ${quoteList([podType])}`,
    });
  }
  const containers: string[] = [];
  for (const c of pod.containers) {
    const type = badType(c.securityContext);
    if (type === undefined) continue;
    containers.push(c.name);
    types.push(type);
    fields.push({
      pointer: childPointer(c.pointer, 'securityContext', 'seccompProfile', 'type'),
      container: c.name,
      problem: `${containersPhrase([c.name])} must not set securityContext.seccompProfile.type to ${quoteList([type])}`,
    });
  }
  return { ...(podType === undefined ? {} : { podType }), containers, types, fields };
}

function explicitOutcome(bad: ReturnType<typeof explicitlyBad>): ReturnType<ControlRule> {
  if (bad.podType === undefined && bad.containers.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${settersPhrase(bad.podType !== undefined, bad.containers)} must not set securityContext.seccompProfile.type to ${quoteList(sortedSet(bad.types))}`,
    fields: bad.fields,
  };
}

/** Policy v1.19+: only the fields are judged (annotations are ignored); an unset profile is fine. */
const fieldRule: ControlRule = (pod) => explicitOutcome(explicitlyBad(pod));

/**
 * Seccomp (baseline): the profile must not be explicitly set to Unconfined. Before v1.19 this was
 * expressed with the alpha annotations; from v1.19 with the `seccompProfile` fields.
 */
export const seccompProfileBaseline: ControlDefinition = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Seccomp',
  versions: [
    { minVersion: 0, rule: annotationRule },
    { minVersion: 19, rule: fieldRule },
  ],
};

const MUST_SET = 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"';

/** Restricted: every container must end up with RuntimeDefault or Localhost, from the pod or itself. */
const restrictedRule: ControlRule = (pod) => {
  const bad = explicitlyBad(pod);
  const explicit = explicitOutcome(bad);
  if (explicit !== undefined) return explicit;
  const podValid = isRecord(pod.securityContext?.seccompProfile) && badType(pod.securityContext) === undefined;
  if (podValid) return undefined;
  const implicit = pod.containers.filter((c) => !isRecord(c.securityContext?.seccompProfile));
  if (implicit.length === 0) return undefined;
  const names = implicit.map((c) => c.name);
  return {
    reason: 'seccompProfile',
    detail: `pod or ${containersPhrase(names)} ${MUST_SET}`,
    fields: missingFields(pod, implicit, ['securityContext', 'seccompProfile', 'type'], (who) => `${who} ${MUST_SET}`),
  };
};

/** Seccomp (restricted, v1.19+): a profile is required; Windows pods are exempt from v1.25. */
export const seccompProfileRestricted: ControlDefinition = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp',
  versions: [
    { minVersion: 19, rule: restrictedRule, overrides: ['seccompProfile_baseline'] },
    { minVersion: 25, rule: (pod) => (pod.isWindows ? undefined : restrictedRule(pod)), overrides: ['seccompProfile_baseline'] },
  ],
};
