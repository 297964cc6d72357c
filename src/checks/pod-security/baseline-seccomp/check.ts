import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `seccompProfile_baseline`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-seccomp',
  target: 'PodSpec',
  meta: {
    title: 'Seccomp profile is set to Unconfined',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/seccomp'], cis: ['5.7.2'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'An `Unconfined` seccomp profile lets the container make every system call, including the rarely used ones most kernel exploits rely on.',
    remediation:
      'Set `seccompProfile.type` to `RuntimeDefault` or `Localhost`, or leave it unset; before policy v1.19 use the `runtime/default` annotation instead of `unconfined`.',
  },
  messages: {
    forbidden: '{{problem}}: an unconfined container can make every system call (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'seccompProfile_baseline', 'baseline');
  },
});
