import { defineCheck } from '../../define-check.js';
import { compiledPolicyOf } from '../netpol-subjects.js';

export default defineCheck({
  id: 'network/invalid-policy',
  target: 'Object',
  kinds: ['networking.k8s.io/NetworkPolicy'],
  meta: {
    title: 'NetworkPolicy is invalid or partly ignored',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'] },
    description:
      'The API server rejects a NetworkPolicy with an empty peer, an ipBlock mixed with selectors, a bad CIDR, an invalid label, or a malformed port, so the protection it describes never exists. Other mistakes are accepted but ignored (rules of a type missing from policyTypes).',
    remediation: 'Fix the field named in the finding; `kubectl apply --dry-run=server -f FILE` shows the API server’s verdict.',
  },
  messages: {
    rejected: 'NetworkPolicy "{{name}}" would be rejected by the API server, so it is not in effect: {{problem}}.{{hint}}',
    ignored: 'NetworkPolicy "{{name}}": {{problem}}.{{hint}}',
  },
  run({ entry }, ctx) {
    const policy = compiledPolicyOf(entry);
    for (const problem of policy.problems) {
      ctx.report({
        messageId: problem.level === 'error' ? 'rejected' : 'ignored',
        pointer: problem.pointer,
        data: { name: policy.name, problem: problem.message, hint: problem.hint === undefined ? '' : ` ${problem.hint}` },
        ...(problem.level === 'error' ? {} : { severity: 'low' as const }),
      });
    }
  },
});
