import { describeObject } from '../../../analysis/rbac/describe.js';
import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';

/**
 * ClusterRoles every cluster has (the bootstrap policy): a binding to one is not dangling even when
 * the input does not include it. Names under `system:` are reserved for Kubernetes components.
 */
const BUILT_IN_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

function isBuiltInClusterRole(name: string): boolean {
  return BUILT_IN_CLUSTER_ROLES.has(name) || name.startsWith('system:');
}

export default defineCheck({
  id: 'rbac/binding-missing-role',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Binding refers to a role that does not exist',
    area: 'rbac',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Authentication and authorization'], mitre: ['T1098'] },
    description:
      'A binding whose role is missing grants nothing today, but the moment someone creates a role with that name its subjects get whatever that role says — a grant that nobody reviews when it takes effect.',
    remediation: 'Delete the binding, or create the role it was meant to grant (and review both together).',
  },
  messages: {
    missing:
      '{{binding}} refers to {{role}}, which is not in the input: it grants nothing now, and whoever creates that role grants it to {{subjects}}.',
    roleFromClusterBinding:
      '{{binding}} refers to Role "{{name}}": a ClusterRoleBinding can only refer to a ClusterRole, so it grants nothing (the API server rejects it).',
    badKind: '{{binding}} refers to a role of kind "{{kind}}": only Role and ClusterRole exist, so it grants nothing.',
  },
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const binding of index.bindings) {
      const ref = binding.roleRef;
      if (ref === undefined || 'role' in index.resolveRole(binding)) continue;
      const base = { binding: describeObject(binding), name: ref.name, kind: ref.kind };
      if (ref.kind === 'Role' && binding.kind === 'ClusterRoleBinding') {
        ctx.report({ messageId: 'roleFromClusterBinding', resource: binding.entry, pointer: '/roleRef/kind', data: base });
      } else if (ref.kind === 'Role' || ref.kind === 'ClusterRole') {
        if (ref.kind === 'ClusterRole' && isBuiltInClusterRole(ref.name)) continue;
        const role = ref.kind === 'Role' ? `Role ${binding.namespace ?? ''}/${ref.name}` : `ClusterRole ${ref.name}`;
        const subjects = binding.subjects.map((s) =>
          s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? binding.namespace ?? ''}/${s.name}` : `${s.kind} ${s.name}`,
        );
        ctx.report({
          messageId: 'missing',
          resource: binding.entry,
          pointer: '/roleRef/name',
          data: { ...base, role, subjects: subjects.length === 0 ? 'no subject' : subjects.join(', ') },
        });
      } else {
        ctx.report({ messageId: 'badKind', resource: binding.entry, pointer: '/roleRef/kind', data: base });
      }
    }
  },
});
