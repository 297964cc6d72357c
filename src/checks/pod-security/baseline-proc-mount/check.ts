import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `procMount`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-proc-mount',
  target: 'PodSpec',
  meta: {
    title: 'Container unmasks /proc',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/proc-mount-type'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      '`procMount: Unmasked` removes the masks the runtime puts over sensitive parts of `/proc`, exposing kernel interfaces to the container.',
    remediation:
      'Remove `securityContext.procMount` or set it to `Default`. From policy v1.35 baseline allows other values for pods with `hostUsers: false`.',
  },
  messages: {
    forbidden: '{{problem}}: an unmasked /proc exposes kernel interfaces of the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'procMount', 'baseline');
  },
});
