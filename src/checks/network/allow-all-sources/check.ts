import { defineCheck } from '../../define-check.js';
import { compiledPolicyOf, portsPhrase, ruleName } from '../netpol-subjects.js';

export default defineCheck({
  id: 'network/allow-all-sources',
  target: 'Object',
  kinds: ['networking.k8s.io/NetworkPolicy'],
  meta: {
    title: 'NetworkPolicy allows ingress from every source',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1021'] },
    description:
      'An ingress rule without `from`, with `namespaceSelector: {}`, or with an ipBlock of 0.0.0.0/0 or ::/0 admits every pod of the cluster, or every address, to the pods the policy selects. Because policies add up, such a rule cancels every narrower policy on those pods for the ports it names.',
    remediation:
      'List the sources that need access (podSelector, namespaceSelector by `kubernetes.io/metadata.name`, or specific CIDRs) instead of everything.',
  },
  messages: {
    everything:
      'Rule {{rule}} of NetworkPolicy "{{name}}" has no `from`: it lets every pod of every namespace and every address outside the cluster connect to the pods it selects{{ports}}.',
    everyPod: 'Rule {{rule}} of NetworkPolicy "{{name}}" admits every pod of every namespace ({{peer}}){{ports}}.',
    everyAddress:
      'Rule {{rule}} of NetworkPolicy "{{name}}" admits every {{family}} address ({{peer}}){{ports}}, inside the cluster and outside it.',
  },
  run({ entry }, ctx) {
    const policy = compiledPolicyOf(entry);
    if (!policy.valid) return;
    for (const rule of policy.ingress) {
      const data = {
        name: policy.name,
        rule: ruleName(rule),
        ports: portsPhrase(rule),
      };
      if (rule.peers === undefined) {
        ctx.report({
          messageId: 'everything',
          pointer: rule.pointer,
          data,
          ...(rule.ports === undefined ? { severity: 'high' as const } : {}),
        });
        continue;
      }
      for (const peer of rule.peers) {
        if (peer.kind === 'ipBlock') {
          if (peer.cidr.prefix === 0) {
            const except = peer.except.length === 0 ? '' : ` except ${peer.except.map((e) => e.text).join(', ')}`;
            ctx.report({
              messageId: 'everyAddress',
              pointer: `${peer.pointer}/ipBlock`,
              data: { ...data, family: peer.cidr.family === 4 ? 'IPv4' : 'IPv6', peer: `${peer.cidr.text}${except}` },
            });
          }
        } else if (peer.namespaceSelector?.matchesAll === true && (peer.podSelector === undefined || peer.podSelector.matchesAll)) {
          ctx.report({
            messageId: 'everyPod',
            pointer: peer.pointer,
            data: { ...data, peer: peer.podSelector === undefined ? 'namespaceSelector: {}' : 'namespaceSelector: {}, podSelector: {}' },
          });
        }
      }
    }
  },
});
