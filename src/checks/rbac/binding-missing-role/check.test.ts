import { describe } from 'vitest';

import {
  aggregatedClusterRole,
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  rule,
  serviceAccount,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/binding-missing-role', () => {
  runFindingCases(check, [
    {
      name: 'a Role missing from the binding namespace (present in another)',
      objects: [role('other', 'reader', [rule(['get'], ['pods'])]), roleBinding('shop', 'b', ['Role', 'reader'], [serviceAccount('api')])],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/roleRef/name',
          severity: 'medium',
          message: /^RoleBinding shop\/b refers to Role shop\/reader, which is not in the input: .* to ServiceAccount shop\/api/,
        },
      ],
    },
    {
      name: 'a missing ClusterRole',
      objects: [clusterRoleBinding('b', ['ClusterRole', 'external-attacher-runner'], [group('x')])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/roleRef/name',
          severity: 'medium',
          message: /refers to ClusterRole external-attacher-runner/,
        },
      ],
    },
    {
      name: 'a ClusterRoleBinding to a Role',
      objects: [role('shop', 'reader', []), clusterRoleBinding('b', ['Role', 'reader'], [group('x')])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/roleRef/kind',
          severity: 'medium',
          message: /a ClusterRoleBinding can only refer to a ClusterRole/,
        },
      ],
    },
    {
      name: 'an unknown kind',
      objects: [roleBinding('shop', 'b', ['Policy', 'p'], [group('x')])],
      expected: [{ on: 'RoleBinding/b', pointer: '/roleRef/kind', severity: 'medium', message: /kind "Policy"/ }],
    },
    {
      name: 'built-in ClusterRoles and present roles',
      objects: [
        roleBinding('shop', 'a', ['ClusterRole', 'edit'], [group('x')]),
        clusterRoleBinding('b', ['ClusterRole', 'system:node-proxier'], [group('x')]),
        clusterRoleBinding('c', ['ClusterRole', 'cluster-admin'], [group('x')]),
        aggregatedClusterRole('agg', [{ matchLabels: { a: 'b' } }]),
        clusterRoleBinding('d', ['ClusterRole', 'agg'], [group('x')]),
        clusterRole('mine', []),
        roleBinding('shop', 'e', ['ClusterRole', 'mine'], [group('x')]),
      ],
      expected: [],
    },
  ]);
});
