import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `capabilities_restricted`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-capabilities',
  target: 'PodSpec',
  meta: {
    title: 'Container does not drop ALL capabilities',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: {
      pss: ['restricted/capabilities'],
      cis: ['5.2.8', '5.2.9', '5.2.10'],
      mitre: ['T1611'],
      nsa: ['Pod security enforcement'],
    },
    description: 'Restricted containers must drop `ALL` capabilities and may add back only `NET_BIND_SERVICE` (policy v1.22 and later).',
    remediation: 'Set `securityContext.capabilities.drop: ["ALL"]` on every container and add back at most `NET_BIND_SERVICE`.',
  },
  messages: {
    forbidden: '{{problem}}: restricted containers keep no capability but NET_BIND_SERVICE (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'capabilities_restricted', 'restricted');
  },
});
