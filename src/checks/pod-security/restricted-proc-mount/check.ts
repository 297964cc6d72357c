import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `procMount_restricted`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-proc-mount',
  target: 'PodSpec',
  meta: {
    title: 'Container unmasks /proc (restricted)',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['baseline/proc-mount-type'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'From policy v1.35 the restricted level keeps forbidding `procMount` other than `Default` even in a user namespace, where baseline allows it.',
    remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
  },
  messages: {
    forbidden: '{{problem}}: restricted keeps /proc masked even in a user namespace (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'procMount_restricted', 'restricted');
  },
});
