import { childPointer } from '../pointer.js';
import { isRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ControlRule, ViolationField } from '../control.js';
import type { ContainerView } from '../pod-view.js';
import { containersPhrase, quoteList, sortedSet } from '../text.js';

// The container runtime's default capability set (Docker/containerd), the most baseline may add.
const BASELINE_ALLOWED = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const RESTRICTED_ALLOWED = new Set(['NET_BIND_SERVICE']);

/** `capabilities.add` entries outside `allowed` (exact, case-sensitive, no `CAP_` stripping), with their fields. */
function forbiddenAdds(c: ContainerView, allowed: ReadonlySet<string>): { value: string; pointer: string }[] {
  const capabilities = c.securityContext?.capabilities;
  if (!isRecord(capabilities) || !Array.isArray(capabilities.add)) return [];
  const out: { value: string; pointer: string }[] = [];
  capabilities.add.forEach((value: unknown, index) => {
    if (typeof value === 'string' && !allowed.has(value)) {
      out.push({ value, pointer: childPointer(c.pointer, 'securityContext', 'capabilities', 'add', index) });
    }
  });
  return out;
}

/** Judge `capabilities.add` of every container; also used by the restricted rule. */
function addRule(
  containers: readonly ContainerView[],
  allowed: ReadonlySet<string>,
): { names: string[]; values: string[]; fields: ViolationField[] } {
  const names: string[] = [];
  const values: string[] = [];
  const fields: ViolationField[] = [];
  for (const c of containers) {
    const bad = forbiddenAdds(c, allowed);
    if (bad.length === 0) continue;
    names.push(c.name);
    for (const { value, pointer } of bad) {
      values.push(value);
      fields.push({
        pointer,
        container: c.name,
        problem: `${containersPhrase([c.name])} must not include ${quoteList([value])} in securityContext.capabilities.add`,
      });
    }
  }
  return { names, values, fields };
}

function mustNotInclude(names: readonly string[], values: readonly string[]): string {
  return `${containersPhrase(names)} must not include ${quoteList(sortedSet(values))} in securityContext.capabilities.add`;
}

/** Capabilities (baseline): only the runtime's default capabilities may be added. `drop` is not judged. */
export const capabilitiesBaseline: ControlDefinition = {
  id: 'capabilities_baseline',
  level: 'baseline',
  title: 'Capabilities',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const { names, values, fields } = addRule(pod.containers, BASELINE_ALLOWED);
        if (names.length === 0) return undefined;
        return { reason: 'non-default capabilities', detail: mustNotInclude(names, values), fields };
      },
    },
  ],
};

const MUST_DROP = 'must set securityContext.capabilities.drop=["ALL"]';

/** Restricted: every container drops ALL, and adds nothing but NET_BIND_SERVICE. */
const restrictedRule: ControlRule = (pod) => {
  const missingDrop: ContainerView[] = [];
  for (const c of pod.containers) {
    const capabilities = c.securityContext?.capabilities;
    // Exactly "ALL": listing every capability by name does not count, as upstream.
    const dropsAll = isRecord(capabilities) && Array.isArray(capabilities.drop) && capabilities.drop.includes('ALL');
    if (!dropsAll) missingDrop.push(c);
  }
  const adds = addRule(pod.containers, RESTRICTED_ALLOWED);
  if (missingDrop.length === 0 && adds.names.length === 0) return undefined;
  const parts: string[] = [];
  const fields: ViolationField[] = [];
  if (missingDrop.length > 0) {
    parts.push(`${containersPhrase(missingDrop.map((c) => c.name))} ${MUST_DROP}`);
    for (const c of missingDrop) {
      fields.push({
        pointer: childPointer(c.pointer, 'securityContext', 'capabilities', 'drop'),
        container: c.name,
        problem: `${containersPhrase([c.name])} ${MUST_DROP}`,
        missing: true,
      });
    }
  }
  if (adds.names.length > 0) {
    parts.push(mustNotInclude(adds.names, adds.values));
    fields.push(...adds.fields);
  }
  return { reason: 'unrestricted capabilities', detail: parts.join('; '), fields };
};

/** Capabilities (restricted, v1.22+; Windows pods exempt from v1.25). Replaces the baseline rule at restricted. */
export const capabilitiesRestricted: ControlDefinition = {
  id: 'capabilities_restricted',
  level: 'restricted',
  title: 'Capabilities',
  versions: [
    { minVersion: 22, rule: restrictedRule, overrides: ['capabilities_baseline'] },
    { minVersion: 25, rule: (pod) => (pod.isWindows ? undefined : restrictedRule(pod)), overrides: ['capabilities_baseline'] },
  ],
};
