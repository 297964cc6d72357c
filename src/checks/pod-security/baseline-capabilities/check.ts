import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `capabilities_baseline`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-capabilities',
  target: 'PodSpec',
  meta: {
    title: 'Container adds a non-default capability',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/capabilities'], cis: ['5.2.8', '5.2.9'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'Capabilities beyond the container runtime’s default set (`SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`, `SYS_PTRACE`, …) give a container powers over the kernel that are used in most container escapes.',
    remediation:
      'Remove capabilities outside the default set from `securityContext.capabilities.add`; names must be exact and upper case without the `CAP_` prefix.',
  },
  messages: {
    forbidden:
      '{{problem}}: capabilities beyond the runtime default widen the kernel attack surface (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'capabilities_baseline', 'baseline');
  },
});
