import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `runAsNonRoot`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-run-as-non-root',
  target: 'PodSpec',
  meta: {
    title: 'Pod may run as root',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['restricted/running-as-non-root'], cis: ['5.2.7'], mitre: ['T1611'], nsa: ['Non-root containers'] },
    description:
      'Without `runAsNonRoot: true` a container may run as UID 0: root in the container owns its files and is one kernel bug away from root on the node.',
    remediation: 'Set `securityContext.runAsNonRoot: true` on the pod (or on every container), and build images with a non-root `USER`.',
  },
  messages: {
    forbidden: '{{problem}}: the kubelet then refuses to start a container as root (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'runAsNonRoot', 'restricted');
  },
});
