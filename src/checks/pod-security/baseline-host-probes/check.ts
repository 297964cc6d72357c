import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `hostProbesAndHostLifecycle`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-host-probes',
  target: 'PodSpec',
  meta: {
    title: 'Probe or lifecycle hook names a host',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/host-probes'], mitre: ['T1090'], nsa: ['Pod security enforcement'] },
    description:
      'HTTP and TCP probes and lifecycle hooks are run by the kubelet from the node; a `host` field makes the node connect to any address the pod’s author chooses (policy v1.34 and later).',
    remediation:
      'Remove `host` from `httpGet` and `tcpSocket` in probes and lifecycle hooks; the kubelet then connects to the pod’s own IP.',
  },
  messages: {
    forbidden: '{{problem}}: the kubelet would connect to that host from the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'hostProbesAndHostLifecycle', 'baseline');
  },
});
