import { childPointer } from '../pointer.js';
import { isRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ControlRule, ViolationField } from '../control.js';

// The "safe" sysctls: namespaced in the pod and isolated from other pods on the node. Each policy
// version that grew the list has its own set (upstream check_sysctls.go).
const SAFE_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SAFE_1_27 = [...SAFE_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SAFE_1_29 = [
  ...SAFE_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SAFE_1_32 = [...SAFE_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SAFE_1_37 = [...SAFE_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function sysctlRule(safe: readonly string[]): ControlRule {
  const allowed = new Set(safe);
  return (pod) => {
    const list = pod.securityContext?.sysctls;
    if (!Array.isArray(list)) return undefined;
    const names: string[] = [];
    const fields: ViolationField[] = [];
    list.forEach((sysctl: unknown, index) => {
      if (!isRecord(sysctl)) return;
      // Exact names only: no prefix matching and no "/" ↔ "." normalisation, as upstream.
      const name = typeof sysctl.name === 'string' ? sysctl.name : '';
      if (allowed.has(name)) return;
      names.push(name);
      fields.push({
        pointer: childPointer(pod.specPointer, 'securityContext', 'sysctls', index, 'name'),
        problem: `forbidden sysctl ${name}`,
      });
    });
    if (names.length === 0) return undefined;
    return { reason: 'forbidden sysctls', detail: names.join(', '), fields };
  };
}

/** Sysctls may only be set from the safe subset of that policy version. */
export const sysctls: ControlDefinition = {
  id: 'sysctls',
  level: 'baseline',
  title: 'Sysctls',
  versions: [
    { minVersion: 0, rule: sysctlRule(SAFE_1_0) },
    { minVersion: 27, rule: sysctlRule(SAFE_1_27) },
    { minVersion: 29, rule: sysctlRule(SAFE_1_29) },
    { minVersion: 32, rule: sysctlRule(SAFE_1_32) },
    { minVersion: 37, rule: sysctlRule(SAFE_1_37) },
  ],
};
