import { childPointer } from '../pointer.js';
import { isRecord, type JsonRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ViolationField } from '../control.js';
import { containersPhrase, settersPhrase } from '../text.js';

function hostProcess(securityContext: JsonRecord | undefined): boolean {
  const options = securityContext?.windowsOptions;
  return isRecord(options) && options.hostProcess === true;
}

const MUST_NOT = 'must not set securityContext.windowsOptions.hostProcess=true';

/** Windows HostProcess containers have privileged access to the node and must be forbidden. */
export const windowsHostProcess: ControlDefinition = {
  id: 'windowsHostProcess',
  level: 'baseline',
  title: 'HostProcess',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const fields: ViolationField[] = [];
        const podBad = hostProcess(pod.securityContext);
        if (podBad) {
          fields.push({
            pointer: childPointer(pod.specPointer, 'securityContext', 'windowsOptions', 'hostProcess'),
            problem: `pod ${MUST_NOT}`,
          });
        }
        const bad = pod.containers.filter((c) => hostProcess(c.securityContext));
        for (const c of bad) {
          fields.push({
            pointer: childPointer(c.pointer, 'securityContext', 'windowsOptions', 'hostProcess'),
            container: c.name,
            problem: `${containersPhrase([c.name])} ${MUST_NOT}`,
          });
        }
        if (fields.length === 0) return undefined;
        return {
          reason: 'hostProcess',
          detail: `${settersPhrase(
            podBad,
            bad.map((c) => c.name),
          )} ${MUST_NOT}`,
          fields,
        };
      },
    },
  ],
};
