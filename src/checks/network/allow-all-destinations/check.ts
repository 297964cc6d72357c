import { defineCheck } from '../../define-check.js';
import { compiledPolicyOf, portsPhrase, ruleName } from '../netpol-subjects.js';

export default defineCheck({
  id: 'network/allow-all-destinations',
  target: 'Object',
  kinds: ['networking.k8s.io/NetworkPolicy'],
  meta: {
    title: 'NetworkPolicy allows egress to every destination',
    area: 'network',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1041'] },
    description:
      'An egress rule without `to`, or with `namespaceSelector: {}`, lets the selected pods connect to every pod of the cluster (and, without `to`, to every address outside it). Because policies add up, it cancels every narrower egress policy on those pods for the ports it names.',
    remediation: 'List the destinations the workload needs (DNS, its own backends, specific external CIDRs) instead of everything.',
  },
  messages: {
    everything:
      'Rule {{rule}} of NetworkPolicy "{{name}}" has no `to`: the pods it selects can connect to every pod of every namespace and every address outside the cluster{{ports}}.',
    everyPod:
      'Rule {{rule}} of NetworkPolicy "{{name}}" lets the pods it selects connect to every pod of every namespace ({{peer}}){{ports}}.',
  },
  run({ entry }, ctx) {
    const policy = compiledPolicyOf(entry);
    if (!policy.valid) return;
    for (const rule of policy.egress) {
      const data = {
        name: policy.name,
        rule: ruleName(rule),
        ports: portsPhrase(rule),
      };
      if (rule.peers === undefined) {
        // `egress: [{ports: [53/UDP]}]` (DNS to anywhere) is common and narrow: only a rule open on every port is medium.
        ctx.report({
          messageId: 'everything',
          pointer: rule.pointer,
          data,
          ...(rule.ports === undefined ? { severity: 'medium' as const } : {}),
        });
        continue;
      }
      for (const peer of rule.peers) {
        if (
          peer.kind === 'selectors' &&
          peer.namespaceSelector?.matchesAll === true &&
          (peer.podSelector === undefined || peer.podSelector.matchesAll)
        ) {
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
