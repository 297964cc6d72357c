import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `sysctls`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-sysctls',
  target: 'PodSpec',
  meta: {
    title: 'Pod sets an unsafe sysctl',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/sysctls'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'Sysctls outside the safe, namespaced set can change kernel settings for the whole node or weaken its security mechanisms.',
    remediation:
      'Remove sysctls that are not in the safe set of your policy version from `spec.securityContext.sysctls`; set node-wide kernel settings on the nodes instead.',
  },
  messages: {
    forbidden: '{{problem}}: an unsafe sysctl can change kernel settings beyond the pod (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'sysctls', 'baseline');
  },
});
