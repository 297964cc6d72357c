import { defineCheck } from '../../define-check.js';
import { compiledPolicyOf, portsPhrase, ruleName } from '../netpol-subjects.js';

export default defineCheck({
  id: 'network/egress-to-internet',
  target: 'Object',
  kinds: ['networking.k8s.io/NetworkPolicy'],
  meta: {
    title: 'NetworkPolicy allows egress to 0.0.0.0/0',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1041', 'T1105'] },
    description:
      'An egress rule to the ipBlock 0.0.0.0/0 (or ::/0) lets the selected pods reach any address on the internet: the path for data exfiltration, downloading tools, and command-and-control. Excepting private ranges still leaves the whole internet open.',
    remediation:
      'Allow egress to the specific CIDRs the workload needs, or route it through an egress gateway or proxy and allow only that.',
  },
  messages: {
    anywhere: 'Rule {{rule}} of NetworkPolicy "{{name}}" allows the pods it selects to reach every {{family}} address ({{peer}}){{ports}}.',
  },
  run({ entry }, ctx) {
    const policy = compiledPolicyOf(entry);
    if (!policy.valid) return;
    for (const rule of policy.egress) {
      for (const peer of rule.peers ?? []) {
        if (peer.kind !== 'ipBlock' || peer.cidr.prefix !== 0) continue;
        const except = peer.except.length === 0 ? '' : ` except ${peer.except.map((e) => e.text).join(', ')}`;
        ctx.report({
          messageId: 'anywhere',
          pointer: `${peer.pointer}/ipBlock/cidr`,
          data: {
            name: policy.name,
            rule: ruleName(rule),
            family: peer.cidr.family === 4 ? 'IPv4' : 'IPv6',
            peer: `${peer.cidr.text}${except}`,
            ports: portsPhrase(rule),
          },
        });
      }
    }
  },
});
