/**
 * NSA/CISA Kubernetes Hardening Guidance, version 1.2 (August 2022): its sections, by title, as the
 * controls (https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF).
 */
import type { Control, FrameworkCatalogue } from './catalogue.js';

type Row = readonly [id: string, extra?: Partial<Pick<Control, 'checks' | 'manual'>>];

function section(name: string, rows: readonly Row[]): Control[] {
  return rows.map(([id, extra]) => ({ id, title: id, section: name, ...extra }));
}

export const NSA: FrameworkCatalogue = {
  id: 'nsa',
  name: 'NSA/CISA Kubernetes Hardening Guidance',
  version: '1.2 (August 2022)',
  url: 'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
  controls: [
    ...section('Kubernetes Pod security', [
      ['Non-root containers', { checks: ['pod-security/*non-root*', 'pod-security/*run-as*'] }],
      ['Immutable container file systems'],
      ['Building secure container images'],
      ['Pod security enforcement', { checks: ['pod-security/*'] }],
      ['Protecting Pod service account tokens', { checks: ['rbac/*automount*', 'rbac/*token*'] }],
      [
        'Hardening container environments',
        {
          checks: [
            'pod-security/*seccomp*',
            'pod-security/*apparmor*',
            'pod-security/*app-armor*',
            'pod-security/*selinux*',
            'pod-security/*runtime-class*',
          ],
        },
      ],
    ]),
    ...section('Network separation and hardening', [
      ['Namespaces', { manual: 'Whether namespaces separate teams and applications is an organisational decision; review them.' }],
      ['Network policies', { checks: ['network/*'] }],
      ['Resource policies'],
      ['Control plane hardening'],
      ['Etcd'],
      ['Kubeconfig files', { manual: 'Kubeconfig files live on workstations and nodes; protect and audit them there.' }],
      ['Worker node segmentation'],
      ['Encryption'],
      ['Secrets'],
      [
        'Protecting sensitive cloud infrastructure',
        {
          checks: ['network/*metadata*'],
          manual: 'Block pods from the cloud instance metadata service with network policies or the provider’s settings.',
        },
      ],
    ]),
    ...section('Authentication and authorization', [
      ['Authentication', { checks: ['rbac/*anonymous*'] }],
      ['Role-based access control', { checks: ['rbac/*'] }],
    ]),
    ...section('Audit logging and threat detection', [
      ['Logging', { checks: ['audit/*'] }],
      ['Kubernetes native audit logging configuration', { checks: ['audit/*policy*'] }],
      [
        'Worker node and container logging',
        { manual: 'Node and container log collection is configured outside the cluster objects; review your log pipeline.' },
      ],
      ['Seccomp: audit mode', { manual: 'Seccomp audit logging is configured on the nodes; review it there.' }],
      ['SYSLOG', { manual: 'Review that nodes forward syslog to a central store.' }],
      ['SIEM platforms', { manual: 'Review that audit and container logs reach your SIEM.' }],
      ['Service meshes'],
      ['Fault tolerance'],
      ['Threat detection', { checks: ['audit/*'] }],
      ['Alerting', { manual: 'Review that detections raise alerts someone receives (vigil monitor can send them).' }],
      ['Tools', { manual: 'Review the security tooling in use.' }],
    ]),
    ...section('Upgrading and application security practices', [['Upgrading and application security practices']]),
  ],
  otherIds: [
    'Kubernetes Pod security',
    'Network separation and hardening',
    'Authentication and authorization',
    'Audit logging and threat detection',
  ],
};
