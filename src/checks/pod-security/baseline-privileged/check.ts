import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `privileged`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-privileged',
  target: 'PodSpec',
  meta: {
    title: 'Privileged container',
    area: 'pod-security',
    defaultSeverity: 'critical',
    frameworks: { pss: ['baseline/privileged-containers'], cis: ['5.2.2'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'A privileged container gets every capability and every device of the node and runs without the isolation of seccomp, AppArmor or SELinux confinement: escaping to the node is a matter of mounting its disk.',
    remediation:
      'Remove `securityContext.privileged: true` (or set it to false) and grant only the specific capabilities the workload needs.',
  },
  messages: {
    forbidden: '{{problem}}: a privileged container can reach every device of the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'privileged', 'baseline');
  },
});
