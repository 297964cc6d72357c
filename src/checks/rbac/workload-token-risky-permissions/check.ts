import { describeObject } from '../../../analysis/rbac/describe.js';
import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { joinWords } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { describeRiskRequest, risksOf } from '../risks.js';
import { tokenMountOf } from '../token-mount.js';
import { RBAC_READS } from '../../reads.js';

export default defineCheck({
  id: 'rbac/workload-token-risky-permissions',
  target: 'PodSpec',
  reads: RBAC_READS,
  meta: {
    title: 'Workload mounts a token that can take over the cluster',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Authentication and authorization'], mitre: ['T1528', 'T1078'] },
    description:
      'A pod gets its service account’s token mounted. When that account can read Secrets, create pods, exec into them, impersonate, bind roles or act as cluster-admin, anyone who compromises one container of the workload gets those powers.',
    remediation:
      'Give the workload a service account with only what it needs; if it needs none of it, set automountServiceAccountToken: false.',
  },
  messages: {
    risky:
      '{{kind}} "{{name}}" mounts the token of ServiceAccount {{account}}, which can {{risks}} (for example through {{binding}} → {{role}} rules[{{rule}}]): a compromised container gets these powers.',
  },
  options: subjectOptions,
  run(pod, ctx) {
    const mount = tokenMountOf(pod);
    if (!mount.mounted) return;
    const account = { kind: 'ServiceAccount', namespace: mount.namespace, name: mount.serviceAccount };
    if (!judgedSubjects(ctx.options)(account)) return;
    const index = RbacIndex.of(pod.inventory);
    const held = risksOf(index, account);
    const [first] = held;
    if (first === undefined) return;
    const resolved = index.resolveRole(first.binding);
    ctx.report({
      messageId: 'risky',
      // Critical when the token is cluster-admin, or can impersonate any user or group (system:masters).
      ...(held.some(
        (h) => h.category.id === 'cluster-admin' || (h.category.id === 'impersonate' && h.request.resource !== 'serviceaccounts'),
      )
        ? { severity: 'critical' as const }
        : {}),
      pointer: mount.pointer,
      data: {
        kind: pod.workload.ref.kind,
        name: pod.workload.ref.name,
        account: `${mount.namespace}/${mount.serviceAccount}`,
        risks: joinWords(held.map((h) => `${h.category.title} (${describeRiskRequest(h.request)})`)),
        binding: describeObject(first.binding),
        role: 'role' in resolved ? describeObject(resolved.role) : 'its role',
        rule: first.rule.index,
      },
    });
  },
});
