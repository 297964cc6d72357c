import { childPointer } from '../pointer.js';
import { isRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ViolationField } from '../control.js';
import { containersPhrase, plural, sortedSet } from '../text.js';

/** Host ports should be disallowed entirely (or limited to a known list; the standard allows none). */
export const hostPorts: ControlDefinition = {
  id: 'hostPorts',
  level: 'baseline',
  title: 'Host Ports',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const badContainers: string[] = [];
        const ports: string[] = [];
        const fields: ViolationField[] = [];
        for (const c of pod.containers) {
          const list = c.container.ports;
          if (!Array.isArray(list)) continue;
          let bad = false;
          for (const [index, port] of (list as unknown[]).entries()) {
            if (!isRecord(port) || typeof port.hostPort !== 'number' || port.hostPort === 0) continue;
            bad = true;
            ports.push(String(port.hostPort));
            fields.push({
              pointer: childPointer(c.pointer, 'ports', index, 'hostPort'),
              container: c.name,
              problem: `${containersPhrase([c.name])} uses hostPort ${port.hostPort}`,
            });
          }
          if (bad) badContainers.push(c.name);
        }
        if (badContainers.length === 0) return undefined;
        const distinct = sortedSet(ports);
        return {
          reason: 'hostPort',
          detail: `${containersPhrase(badContainers)} ${plural('uses', 'use', badContainers.length)} ${plural('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
          fields,
        };
      },
    },
  ],
};
