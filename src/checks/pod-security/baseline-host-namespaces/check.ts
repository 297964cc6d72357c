import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `hostNamespaces`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-host-namespaces',
  target: 'PodSpec',
  meta: {
    title: 'Pod shares a host namespace',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: {
      pss: ['baseline/host-namespaces'],
      cis: ['5.2.3', '5.2.4', '5.2.5'],
      mitre: ['T1611'],
      nsa: ['Pod security enforcement'],
    },
    description:
      'A pod with `hostNetwork`, `hostPID` or `hostIPC` shares the node’s network stack, process table or IPC with the node: it can reach node-local services, see and signal every process, or read other processes’ shared memory.',
    remediation:
      'Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false); expose ports through a Service instead of the node’s network.',
  },
  messages: {
    forbidden: '{{problem}}: a pod in a host namespace sees and reaches what the node does (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'hostNamespaces', 'baseline');
  },
});
