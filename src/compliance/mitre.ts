/**
 * MITRE ATT&CK for Containers (the Containers platform of ATT&CK Enterprise, v15): its techniques by
 * tactic (https://attack.mitre.org/matrices/enterprise/containers/). A technique "passes" when the
 * checks that mitigate it find nothing.
 */
import type { Control, FrameworkCatalogue } from './catalogue.js';

type Row = readonly [id: string, title: string, extra?: Partial<Pick<Control, 'checks' | 'manual'>>];

function tactic(name: string, rows: readonly Row[]): Control[] {
  return rows.map(([id, title, extra]) => ({ id, title, section: name, ...extra }));
}

const RUNTIME = 'Detected at run time (audit logs, runtime sensors), not from configuration; see the audit rules.';

export const MITRE: FrameworkCatalogue = {
  id: 'mitre',
  name: 'MITRE ATT&CK for Containers',
  version: 'ATT&CK v15',
  url: 'https://attack.mitre.org/matrices/enterprise/containers/',
  controls: [
    ...tactic('Initial Access', [
      ['T1190', 'Exploit Public-Facing Application'],
      ['T1133', 'External Remote Services', { checks: ['network/*expos*', 'network/*external*'] }],
      ['T1078', 'Valid Accounts'],
      ['T1078.001', 'Valid Accounts: Default Accounts', { checks: ['rbac/*default-service-account*', 'rbac/*anonymous*'] }],
    ]),
    ...tactic('Execution', [
      ['T1609', 'Container Administration Command', { checks: ['rbac/*exec*', 'rbac/*attach*'] }],
      ['T1610', 'Deploy Container', { checks: ['rbac/*create-pod*', 'rbac/*pod-create*', 'rbac/*workload-create*'] }],
      ['T1053.007', 'Scheduled Task/Job: Container Orchestration Job', { checks: ['rbac/*cronjob*'], manual: RUNTIME }],
      ['T1204.003', 'User Execution: Malicious Image'],
    ]),
    ...tactic('Persistence', [
      ['T1098.006', 'Account Manipulation: Additional Container Cluster Roles', { checks: ['rbac/*escalat*', 'rbac/*bind*'] }],
      ['T1136.001', 'Create Account: Local Account', { manual: RUNTIME }],
      ['T1543.005', 'Create or Modify System Process: Container Service', { manual: RUNTIME }],
      ['T1525', 'Implant Internal Image'],
    ]),
    ...tactic('Privilege Escalation', [
      [
        'T1611',
        'Escape to Host',
        { checks: ['pod-security/*privileged*', 'pod-security/*host-*', 'pod-security/*capabilit*', 'pod-security/*hostpath*'] },
      ],
      ['T1068', 'Exploitation for Privilege Escalation'],
    ]),
    ...tactic('Defense Evasion', [
      ['T1612', 'Build Image on Host', { manual: RUNTIME }],
      ['T1562.001', 'Impair Defenses: Disable or Modify Tools'],
      ['T1070', 'Indicator Removal', { checks: ['rbac/*delete-event*', 'rbac/*events*'] }],
      ['T1036.005', 'Masquerading: Match Legitimate Name or Location', { manual: RUNTIME }],
      ['T1550.001', 'Use Alternate Authentication Material: Application Access Token', { checks: ['rbac/*token*'] }],
    ]),
    ...tactic('Credential Access', [
      ['T1110', 'Brute Force', { manual: RUNTIME }],
      ['T1552.001', 'Unsecured Credentials: Credentials In Files'],
      ['T1552.007', 'Unsecured Credentials: Container API', { checks: ['rbac/*secret*'] }],
      ['T1528', 'Steal Application Access Token', { checks: ['rbac/*automount*', 'rbac/*token*'] }],
    ]),
    ...tactic('Discovery', [
      ['T1613', 'Container and Resource Discovery', { checks: ['rbac/*list*', 'rbac/*wildcard*'] }],
      ['T1046', 'Network Service Discovery', { checks: ['network/*unisolated*', 'network/*reach*'] }],
      ['T1069', 'Permission Groups Discovery', { manual: RUNTIME }],
    ]),
    ...tactic('Lateral Movement', [['T1550', 'Use Alternate Authentication Material', { checks: ['rbac/*token*', 'rbac/*impersonat*'] }]]),
    ...tactic('Impact', [
      ['T1485', 'Data Destruction', { checks: ['rbac/*delete*'] }],
      ['T1499', 'Endpoint Denial of Service'],
      ['T1490', 'Inhibit System Recovery', { manual: RUNTIME }],
      ['T1498', 'Network Denial of Service', { checks: ['network/*egress*'] }],
      ['T1496', 'Resource Hijacking'],
    ]),
  ],
  // ATT&CK Enterprise techniques that checks cite and the Containers matrix does not list (or lists only
  // as a sub-technique): Account Manipulation, Remote Services, Exfiltration Over C2 Channel, Ingress
  // Tool Transfer, Adversary-in-the-Middle, Steal or Forge Authentication Certificates, Proxy, Abuse
  // Elevation Control Mechanism (setuid binaries, which allowPrivilegeEscalation: false blocks).
  otherIds: ['T1098', 'T1021', 'T1041', 'T1105', 'T1557', 'T1649', 'T1090', 'T1548'],
};
