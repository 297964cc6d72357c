import { childPointer } from '../pointer.js';
import { isRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ViolationField } from '../control.js';
import { containersPhrase, plural, quoteList, sortedSet } from '../text.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

/**
 * Probes and lifecycle hooks must not name a `host`: the kubelet would connect to it from the node,
 * letting a pod reach addresses only the node can (added in policy v1.34).
 */
export const hostProbesAndHostLifecycle: ControlDefinition = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Host Probes / Lifecycle Hooks',
  versions: [
    {
      minVersion: 34,
      rule(pod) {
        const badContainers: string[] = [];
        const hosts: string[] = [];
        const fields: ViolationField[] = [];
        for (const c of pod.containers) {
          const handlers: { pointer: string; handler: unknown }[] = PROBES.map((probe) => ({
            pointer: childPointer(c.pointer, probe),
            handler: c.container[probe],
          }));
          const lifecycle = c.container.lifecycle;
          if (isRecord(lifecycle)) {
            for (const hook of LIFECYCLE) handlers.push({ pointer: childPointer(c.pointer, 'lifecycle', hook), handler: lifecycle[hook] });
          }
          for (const { pointer, handler } of handlers) {
            if (!isRecord(handler)) continue;
            for (const kind of HANDLERS) {
              const action = handler[kind];
              if (!isRecord(action) || typeof action.host !== 'string' || action.host === '') continue;
              badContainers.push(c.name);
              hosts.push(action.host);
              fields.push({
                pointer: childPointer(pointer, kind, 'host'),
                container: c.name,
                problem: `${containersPhrase([c.name])} uses probe or lifecycle host ${quoteList([action.host])}`,
              });
            }
          }
        }
        if (badContainers.length === 0) return undefined;
        // Upstream collects both containers and hosts in sets, so both are sorted and distinct here.
        const names = sortedSet(badContainers);
        const distinct = sortedSet(hosts);
        return {
          reason: 'probe or lifecycle host',
          detail: `${containersPhrase(names)} ${plural('uses', 'use', names.length)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', distinct.length)} ${quoteList(distinct)}`,
          fields,
        };
      },
    },
  ],
};
