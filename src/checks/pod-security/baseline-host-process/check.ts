import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `windowsHostProcess`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-host-process',
  target: 'PodSpec',
  meta: {
    title: 'Windows HostProcess container',
    area: 'pod-security',
    defaultSeverity: 'critical',
    frameworks: { pss: ['baseline/host-process'], cis: ['5.2.11'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'A Windows HostProcess container runs directly on the node as a host process, with the node’s network and file system and (as SYSTEM) administrator rights on it.',
    remediation:
      'Remove `securityContext.windowsOptions.hostProcess: true` from the pod and its containers; run node management through a dedicated, separately controlled deployment.',
  },
  messages: {
    forbidden: '{{problem}}: a HostProcess container runs on the Windows node itself (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'windowsHostProcess', 'baseline');
  },
});
