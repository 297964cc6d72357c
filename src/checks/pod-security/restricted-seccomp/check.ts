import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `seccompProfile_restricted`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-seccomp',
  target: 'PodSpec',
  meta: {
    title: 'Pod has no RuntimeDefault or Localhost seccomp profile',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['restricted/seccomp'], cis: ['5.7.2'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'Kubernetes runs containers without any seccomp filter unless a profile is set; restricted requires `RuntimeDefault` or `Localhost` on the pod or on every container (policy v1.19 and later).',
    remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.',
  },
  messages: {
    forbidden: '{{problem}}: without a profile the container can make every system call (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'seccompProfile_restricted', 'restricted');
  },
});
