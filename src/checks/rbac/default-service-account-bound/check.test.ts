import { describe } from 'vitest';

import { clusterRoleBinding, roleBinding, serviceAccount, user } from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/default-service-account-bound', () => {
  runFindingCases(check, [
    {
      name: 'default of the binding namespace (no namespace on the subject)',
      objects: [roleBinding('shop', 'b', ['ClusterRole', 'view'], [user('jane'), serviceAccount('default')])],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/1',
          severity: 'medium',
          message: /^ServiceAccount shop\/default is bound to ClusterRole view by RoleBinding shop\/b/,
        },
      ],
    },
    {
      name: 'default of another namespace, through a ClusterRoleBinding, role missing',
      objects: [clusterRoleBinding('b', ['ClusterRole', 'test'], [serviceAccount('default', 'n1')])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'medium',
          message: /^ServiceAccount n1\/default is bound to ClusterRole test/,
        },
      ],
    },
    { name: 'a dedicated account', objects: [roleBinding('shop', 'b', ['ClusterRole', 'view'], [serviceAccount('api')])], expected: [] },
    {
      name: 'bootstrap-policy bindings',
      objects: [
        roleBinding('shop', 'b', ['ClusterRole', 'view'], [serviceAccount('default')], {
          labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
        }),
      ],
      expected: [],
    },
    {
      name: 'a namespace-less account in a ClusterRoleBinding matches nobody',
      objects: [clusterRoleBinding('b', ['ClusterRole', 'view'], [serviceAccount('default')])],
      expected: [],
    },
  ]);
});
