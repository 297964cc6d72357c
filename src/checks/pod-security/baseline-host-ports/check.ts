import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `hostPorts`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-host-ports',
  target: 'PodSpec',
  meta: {
    title: 'Container uses a host port',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/host-ports'], cis: ['5.2.13'], nsa: ['Pod security enforcement'] },
    description:
      'A `hostPort` opens the port on the node’s own address: the pod is reachable from wherever the node is, often around NetworkPolicy and load-balancer controls, and only one such pod fits on each node.',
    remediation:
      'Remove `ports[].hostPort` and expose the port through a Service (ClusterIP behind an Ingress or Gateway, or NodePort/LoadBalancer when it must be external).',
  },
  messages: {
    forbidden: '{{problem}}: a host port exposes the pod on the node’s own address (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'hostPorts', 'baseline');
  },
});
