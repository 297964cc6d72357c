import { childPointer } from '../pointer.js';
import type { ControlDefinition, ControlRule } from '../control.js';
import { containersPhrase } from '../text.js';

const MUST = 'must set securityContext.allowPrivilegeEscalation=false';

const rule: ControlRule = (pod) => {
  const bad = pod.containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (bad.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersPhrase(bad.map((c) => c.name))} ${MUST}`,
    fields: bad.map((c) => ({
      pointer: childPointer(c.pointer, 'securityContext', 'allowPrivilegeEscalation'),
      container: c.name,
      problem: `${containersPhrase([c.name])} ${MUST}`,
      ...(c.securityContext?.allowPrivilegeEscalation === true ? {} : { missing: true as const }),
    })),
  };
};

/** Privilege escalation (setuid binaries, no_new_privs unset) must be explicitly disallowed (v1.8+). */
export const allowPrivilegeEscalation: ControlDefinition = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege Escalation',
  versions: [
    { minVersion: 8, rule },
    // From v1.25 Windows pods are exempt: the field has no meaning there.
    { minVersion: 25, rule: (pod) => (pod.isWindows ? undefined : rule(pod)) },
  ],
};
