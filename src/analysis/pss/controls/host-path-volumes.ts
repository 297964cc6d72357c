import { childPointer } from '../pointer.js';
import type { ControlDefinition } from '../control.js';
import { plural, quoteList } from '../text.js';

/** HostPath volumes expose the node's filesystem and must be forbidden. */
export const hostPathVolumes: ControlDefinition = {
  id: 'hostPathVolumes',
  level: 'baseline',
  title: 'HostPath Volumes',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const bad = pod.volumes.filter((v) => v.sources.includes('hostPath'));
        if (bad.length === 0) return undefined;
        return {
          reason: 'hostPath volumes',
          detail: `${plural('volume', 'volumes', bad.length)} ${quoteList(bad.map((v) => v.name))}`,
          fields: bad.map((v) => ({
            pointer: childPointer(v.pointer, 'hostPath'),
            problem: `volume ${quoteList([v.name])} is a hostPath volume`,
          })),
        };
      },
    },
  ],
};
