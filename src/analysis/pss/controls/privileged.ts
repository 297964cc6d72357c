import { childPointer } from '../pointer.js';
import type { ControlDefinition } from '../control.js';
import { containersPhrase } from '../text.js';

/** Privileged containers disable most isolation: `securityContext.privileged` must be unset or false. */
export const privileged: ControlDefinition = {
  id: 'privileged',
  level: 'baseline',
  title: 'Privileged Containers',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const bad = pod.containers.filter((c) => c.securityContext?.privileged === true);
        if (bad.length === 0) return undefined;
        return {
          reason: 'privileged',
          detail: `${containersPhrase(bad.map((c) => c.name))} must not set securityContext.privileged=true`,
          fields: bad.map((c) => ({
            pointer: childPointer(c.pointer, 'securityContext', 'privileged'),
            container: c.name,
            problem: `${containersPhrase([c.name])} must not set securityContext.privileged=true`,
          })),
        };
      },
    },
  ],
};
