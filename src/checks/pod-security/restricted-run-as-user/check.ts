import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `runAsUser`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-run-as-user',
  target: 'PodSpec',
  meta: {
    title: 'Pod or container runs as UID 0',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['restricted/running-as-non-root-user'], cis: ['5.2.7'], mitre: ['T1611'], nsa: ['Non-root containers'] },
    description: '`runAsUser: 0` explicitly runs the container as root (policy v1.23 and later).',
    remediation: 'Set `runAsUser` to a non-zero UID, or remove it and let the image’s non-root user apply.',
  },
  messages: {
    forbidden:
      '{{problem}}: UID 0 is root in the container and, without a user namespace, on the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'runAsUser', 'restricted');
  },
});
