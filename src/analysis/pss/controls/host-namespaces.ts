import { childPointer } from '../pointer.js';
import type { ControlDefinition } from '../control.js';

const FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

/** Sharing the host's network, PID or IPC namespace must be disallowed. */
export const hostNamespaces: ControlDefinition = {
  id: 'hostNamespaces',
  level: 'baseline',
  title: 'Host Namespaces',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const set = FIELDS.filter((field) => pod.spec[field] === true);
        if (set.length === 0) return undefined;
        return {
          reason: 'host namespaces',
          detail: set.map((field) => `${field}=true`).join(', '),
          fields: set.map((field) => ({ pointer: childPointer(pod.specPointer, field), problem: `pod must not set ${field}=true` })),
        };
      },
    },
  ],
};
