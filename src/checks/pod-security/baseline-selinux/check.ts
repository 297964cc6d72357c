import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `seLinuxOptions`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-selinux',
  target: 'PodSpec',
  meta: {
    title: 'SELinux options set a custom user, role or type',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/selinux'], mitre: ['T1562.001'], nsa: ['Pod security enforcement'] },
    description:
      'Custom SELinux users or roles, and types other than the container types, can lift the SELinux confinement that keeps containers away from the node’s files and processes.',
    remediation:
      'Leave `seLinuxOptions.user` and `role` unset and use only the container types (`container_t`, `container_init_t`, `container_kvm_t`, and `container_engine_t` from policy v1.31).',
  },
  messages: {
    forbidden: '{{problem}}: a custom SELinux label can lift the container’s confinement (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'seLinuxOptions', 'baseline');
  },
});
