import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'network/service-external-ips',
  target: 'Object',
  kinds: ['Service'],
  meta: {
    title: 'Service uses externalIPs',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1557'] },
    description:
      'kube-proxy sends traffic that reaches a node for a Service’s externalIPs to the Service’s pods, whoever owns those addresses. Anyone allowed to create or edit Services can use it to intercept traffic meant for other addresses (CVE-2020-8554); the DenyServiceExternalIPs admission plugin exists to forbid the field.',
    remediation:
      'Use a LoadBalancer Service (or an Ingress/Gateway) instead, and enable the DenyServiceExternalIPs admission plugin; where externalIPs are truly needed, restrict them with an admission policy to the addresses you own.',
  },
  messages: {
    externalIps:
      'Service "{{name}}" sets externalIPs ({{ips}}): nodes forward traffic for these addresses to its pods, the kind of interception the DenyServiceExternalIPs admission plugin blocks (CVE-2020-8554).',
  },
  run({ object }, ctx) {
    const spec = isRecord(object.spec) ? object.spec : {};
    const ips = arrayOrEmpty(spec.externalIPs).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
    if (ips.length === 0) return;
    ctx.report({ messageId: 'externalIps', pointer: '/spec/externalIPs', data: { name: object.metadata.name, ips: ips.join(', ') } });
  },
});
