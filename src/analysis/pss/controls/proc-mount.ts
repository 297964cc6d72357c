import { childPointer } from '../pointer.js';
import type { ControlDefinition, ControlRule } from '../control.js';
import { containersPhrase, quoteList, sortedSet } from '../text.js';

/** Only the default /proc mask is allowed: `procMount` unset or `Default` (an empty string is forbidden too). */
const strictProcMount: ControlRule = (pod) => {
  const bad = pod.containers.filter((c) => {
    const value = c.securityContext?.procMount;
    return typeof value === 'string' && value !== 'Default';
  });
  if (bad.length === 0) return undefined;
  const valueOf = (sc: Readonly<Record<string, unknown>> | undefined): string => String(sc?.procMount);
  return {
    reason: 'procMount',
    detail: `${containersPhrase(bad.map((c) => c.name))} must not set securityContext.procMount to ${quoteList(sortedSet(bad.map((c) => valueOf(c.securityContext))))}`,
    fields: bad.map((c) => ({
      pointer: childPointer(c.pointer, 'securityContext', 'procMount'),
      container: c.name,
      problem: `${containersPhrase([c.name])} must not set securityContext.procMount to ${quoteList([valueOf(c.securityContext)])}`,
    })),
  };
};

/**
 * /proc mount type (baseline). From policy v1.35 a pod in a user namespace (`hostUsers: false`) may
 * unmask /proc (KEP-127); before that there is no relaxation at any version.
 */
export const procMount: ControlDefinition = {
  id: 'procMount',
  level: 'baseline',
  title: '/proc Mount Type',
  versions: [
    { minVersion: 0, rule: strictProcMount },
    { minVersion: 35, rule: (pod) => (pod.inUserNamespace ? undefined : strictProcMount(pod)) },
  ],
};

/** /proc mount type (restricted, v1.35+): the unconditional rule, even in a user namespace. */
export const procMountRestricted: ControlDefinition = {
  id: 'procMount_restricted',
  level: 'restricted',
  title: '/proc Mount Type',
  versions: [{ minVersion: 35, rule: strictProcMount, overrides: ['procMount'] }],
};
