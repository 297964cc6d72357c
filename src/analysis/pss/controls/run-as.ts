import { childPointer } from '../pointer.js';
import type { ControlDefinition, ControlRule, ViolationField } from '../control.js';
import type { ContainerView } from '../pod-view.js';
import { containersPhrase, settersPhrase } from '../text.js';
import { missingFields } from './missing-fields.js';

const MUST_NOT_FALSE = 'must not set securityContext.runAsNonRoot=false';
const MUST_TRUE = 'must set securityContext.runAsNonRoot=true';

/** Every container must run as non-root: `runAsNonRoot: true` on the pod, or on each container. */
const runAsNonRootRule: ControlRule = (pod) => {
  const fields: ViolationField[] = [];
  const podValue = pod.securityContext?.runAsNonRoot;
  const podBad = podValue === false;
  if (podBad) fields.push({ pointer: childPointer(pod.specPointer, 'securityContext', 'runAsNonRoot'), problem: `pod ${MUST_NOT_FALSE}` });
  const explicit: string[] = [];
  const implicit: ContainerView[] = [];
  for (const c of pod.containers) {
    const value = c.securityContext?.runAsNonRoot;
    if (typeof value === 'boolean') {
      if (value) continue;
      explicit.push(c.name);
      fields.push({
        pointer: childPointer(c.pointer, 'securityContext', 'runAsNonRoot'),
        container: c.name,
        problem: `${containersPhrase([c.name])} ${MUST_NOT_FALSE}`,
      });
    } else if (podValue !== true) {
      implicit.push(c);
    }
  }
  if (podBad || explicit.length > 0) {
    return { reason: 'runAsNonRoot != true', detail: `${settersPhrase(podBad, explicit)} ${MUST_NOT_FALSE}`, fields };
  }
  if (implicit.length === 0) return undefined;
  return {
    reason: 'runAsNonRoot != true',
    detail: `pod or ${containersPhrase(implicit.map((c) => c.name))} ${MUST_TRUE}`,
    fields: missingFields(pod, implicit, ['securityContext', 'runAsNonRoot'], (who) => `${who} ${MUST_TRUE}`),
  };
};

/** Running as non-root (restricted). From v1.35 pods in a user namespace are exempt (KEP-127). */
export const runAsNonRoot: ControlDefinition = {
  id: 'runAsNonRoot',
  level: 'restricted',
  title: 'Running as Non-root',
  versions: [
    { minVersion: 0, rule: runAsNonRootRule },
    { minVersion: 35, rule: (pod) => (pod.inUserNamespace ? undefined : runAsNonRootRule(pod)) },
  ],
};

const MUST_NOT_ZERO = 'must not set runAsUser=0';

/** `runAsUser` must not be 0 on the pod or any container; no effective-value resolution, as upstream. */
const runAsUserRule: ControlRule = (pod) => {
  const fields: ViolationField[] = [];
  const podBad = pod.securityContext?.runAsUser === 0;
  if (podBad) fields.push({ pointer: childPointer(pod.specPointer, 'securityContext', 'runAsUser'), problem: `pod ${MUST_NOT_ZERO}` });
  const bad = pod.containers.filter((c) => c.securityContext?.runAsUser === 0);
  for (const c of bad) {
    fields.push({
      pointer: childPointer(c.pointer, 'securityContext', 'runAsUser'),
      container: c.name,
      problem: `${containersPhrase([c.name])} ${MUST_NOT_ZERO}`,
    });
  }
  if (fields.length === 0) return undefined;
  return {
    reason: 'runAsUser=0',
    detail: `${settersPhrase(
      podBad,
      bad.map((c) => c.name),
    )} ${MUST_NOT_ZERO}`,
    fields,
  };
};

/** Running as non-root user (restricted, v1.23+). From v1.35 pods in a user namespace are exempt. */
export const runAsUser: ControlDefinition = {
  id: 'runAsUser',
  level: 'restricted',
  title: 'Running as Non-root user',
  versions: [
    { minVersion: 23, rule: runAsUserRule },
    { minVersion: 35, rule: (pod) => (pod.inUserNamespace ? undefined : runAsUserRule(pod)) },
  ],
};
