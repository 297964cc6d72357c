import { childPointer } from '../pointer.js';
import { isRecord, type JsonRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ControlRule, ViolationField } from '../control.js';
import { plural, quoteList, settersPhrase, sortedSet } from '../text.js';

const TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
// Policy v1.31 also allows container_engine_t (the type of container engines that run inside pods).
const TYPES_1_31 = [...TYPES_1_0, 'container_engine_t'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function seLinuxRule(allowedTypes: readonly string[]): ControlRule {
  const allowed = new Set(allowedTypes);
  return (pod) => {
    const badTypes: string[] = [];
    const set = { user: false, role: false };
    const fields: ViolationField[] = [];
    /** Record the bad parts of one seLinuxOptions; true when it has any. */
    const judge = (options: JsonRecord, base: string, who: string, container: string | undefined): boolean => {
      let bad = false;
      const add = (part: 'type' | 'user' | 'role', problem: string): void => {
        bad = true;
        fields.push({
          pointer: childPointer(base, 'seLinuxOptions', part),
          ...(container === undefined ? {} : { container }),
          problem: `${who} set forbidden securityContext.seLinuxOptions: ${problem}`,
        });
      };
      const type = text(options.type);
      if (!allowed.has(type)) {
        badTypes.push(type);
        add('type', `type ${quoteList([type])}`);
      }
      if (text(options.user) !== '') {
        set.user = true;
        add('user', 'user may not be set');
      }
      if (text(options.role) !== '') {
        set.role = true;
        add('role', 'role may not be set');
      }
      return bad;
    };
    const podOptions = pod.securityContext?.seLinuxOptions;
    const podBad = isRecord(podOptions) && judge(podOptions, childPointer(pod.specPointer, 'securityContext'), 'pod', undefined);
    const badContainers: string[] = [];
    for (const c of pod.containers) {
      const options = c.securityContext?.seLinuxOptions;
      if (isRecord(options) && judge(options, childPointer(c.pointer, 'securityContext'), `container ${quoteList([c.name])}`, c.name)) {
        badContainers.push(c.name);
      }
    }
    if (!podBad && badContainers.length === 0) return undefined;
    const parts: string[] = [];
    const types = sortedSet(badTypes);
    if (types.length > 0) parts.push(`${plural('type', 'types', types.length)} ${quoteList(types)}`);
    if (set.user) parts.push('user may not be set');
    if (set.role) parts.push('role may not be set');
    return {
      reason: 'seLinuxOptions',
      detail: `${settersPhrase(podBad, badContainers)} set forbidden securityContext.seLinuxOptions: ${parts.join('; ')}`,
      fields,
    };
  };
}

/** Setting a custom SELinux user or role is forbidden, and the type is limited to the container types. */
export const seLinuxOptions: ControlDefinition = {
  id: 'seLinuxOptions',
  level: 'baseline',
  title: 'SELinux',
  versions: [
    { minVersion: 0, rule: seLinuxRule(TYPES_1_0) },
    { minVersion: 31, rule: seLinuxRule(TYPES_1_31) },
  ],
};
