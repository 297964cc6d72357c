/**
 * Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/): the
 * controls of the Baseline and Restricted profiles. Pod-security checks light these up by referencing
 * `pss: ['<level>/<control>']` (for example `baseline/privileged-containers`) or by id.
 */
import type { Control, FrameworkCatalogue } from './catalogue.js';

type Row = readonly [id: string, title: string, checks: readonly string[]];

function level(name: string, rows: readonly Row[]): Control[] {
  return rows.map(([id, title, checks]) => ({ id, title, section: name, checks }));
}

export const PSS: FrameworkCatalogue = {
  id: 'pss',
  name: 'Pod Security Standards',
  version: 'Kubernetes v1.34 profiles',
  url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
  controls: [
    ...level('Baseline', [
      ['baseline/host-process', 'HostProcess', ['pod-security/baseline-*host-process*', 'pod-security/host-process*']],
      [
        'baseline/host-namespaces',
        'Host Namespaces',
        [
          'pod-security/baseline-*host-namespace*',
          'pod-security/host-namespace*',
          'pod-security/*host-network*',
          'pod-security/*host-pid*',
          'pod-security/*host-ipc*',
        ],
      ],
      ['baseline/privileged-containers', 'Privileged Containers', ['pod-security/*privileged*']],
      ['baseline/capabilities', 'Capabilities', ['pod-security/baseline-*capabilit*', 'pod-security/capabilit*']],
      ['baseline/hostpath-volumes', 'HostPath Volumes', ['pod-security/*host-path*', 'pod-security/*hostpath*']],
      ['baseline/host-ports', 'Host Ports', ['pod-security/*host-port*']],
      ['baseline/apparmor', 'AppArmor', ['pod-security/*apparmor*', 'pod-security/*app-armor*']],
      ['baseline/selinux', 'SELinux', ['pod-security/*selinux*', 'pod-security/*se-linux*']],
      ['baseline/proc-mount-type', '/proc Mount Type', ['pod-security/*proc-mount*', 'pod-security/*procmount*']],
      ['baseline/seccomp', 'Seccomp', ['pod-security/baseline-*seccomp*']],
      ['baseline/sysctls', 'Sysctls', ['pod-security/*sysctl*']],
      ['baseline/host-probes', 'Host Probes / Lifecycle Hooks', ['pod-security/*host-probe*']],
    ]),
    ...level('Restricted', [
      ['restricted/volume-types', 'Volume Types', ['pod-security/*volume-type*', 'pod-security/*volumes*']],
      ['restricted/privilege-escalation', 'Privilege Escalation', ['pod-security/*privilege-escalation*']],
      ['restricted/running-as-non-root', 'Running as Non-root', ['pod-security/*run-as-non-root*', 'pod-security/*non-root*']],
      ['restricted/running-as-non-root-user', 'Running as Non-root user', ['pod-security/*run-as-user*', 'pod-security/*non-root-user*']],
      ['restricted/seccomp', 'Seccomp', ['pod-security/restricted-*seccomp*', 'pod-security/seccomp*']],
      ['restricted/capabilities', 'Capabilities', ['pod-security/restricted-*capabilit*']],
    ]),
  ],
  // Namespace-level checks (enforce labels, violations of a namespace's level) cite a whole profile.
  otherIds: ['baseline', 'restricted'],
};
