import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `allowPrivilegeEscalation`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-privilege-escalation',
  target: 'PodSpec',
  meta: {
    title: 'Container may escalate privileges',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['restricted/privilege-escalation'], cis: ['5.2.6'], mitre: ['T1548'], nsa: ['Pod security enforcement'] },
    description:
      'Unless `allowPrivilegeEscalation` is explicitly false, a process in the container can gain privileges through setuid binaries or file capabilities (the `no_new_privs` flag is not set).',
    remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container, init container and ephemeral container.',
  },
  messages: {
    forbidden: '{{problem}}: without it, setuid binaries can raise a process’s privileges (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'allowPrivilegeEscalation', 'restricted');
  },
});
