import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import type { ServiceSpec } from '../../../k8s/types.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'network/exposed-service',
  target: 'Object',
  kinds: ['Service'],
  meta: {
    title: 'Service is exposed outside the cluster',
    area: 'network',
    defaultSeverity: 'info',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1133'] },
    description:
      'A NodePort Service opens its port on every node; a LoadBalancer Service asks the cloud for an external address. Either makes the workload reachable from outside the cluster, so it should be a decision, not a default.',
    remediation:
      'Use a ClusterIP Service behind an Ingress or Gateway where possible; for a LoadBalancer, restrict `loadBalancerSourceRanges` (or mark it internal with your cloud’s annotation).',
  },
  messages: {
    nodePort: 'Service "{{name}}" is type NodePort: port(s) {{ports}} are open on every node of the cluster.',
    loadBalancer:
      'Service "{{name}}" is type LoadBalancer with no loadBalancerSourceRanges: it is reachable from any address the load balancer accepts.',
    loadBalancerRestricted: 'Service "{{name}}" is type LoadBalancer, restricted to {{ranges}}.',
  },
  run({ object }, ctx) {
    const spec = (isRecord(object.spec) ? object.spec : {}) as ServiceSpec;
    const name = object.metadata.name;
    if (spec.type === 'NodePort') {
      const ports = arrayOrEmpty(spec.ports)
        .filter(isRecord)
        .map((p) => (typeof p.nodePort === 'number' ? `${p.nodePort}` : `${String(p.port)} (node port assigned)`))
        .join(', ');
      ctx.report({ messageId: 'nodePort', pointer: '/spec/type', data: { name, ports: ports === '' ? 'none listed' : ports } });
    } else if (spec.type === 'LoadBalancer') {
      const ranges = arrayOrEmpty(spec.loadBalancerSourceRanges).filter((r): r is string => typeof r === 'string');
      if (ranges.length === 0 || ranges.includes('0.0.0.0/0') || ranges.includes('::/0')) {
        ctx.report({ messageId: 'loadBalancer', pointer: '/spec/type', data: { name } });
      } else {
        ctx.report({ messageId: 'loadBalancerRestricted', pointer: '/spec/type', data: { name, ranges: ranges.join(', ') } });
      }
    }
  },
});
