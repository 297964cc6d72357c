import { describe } from 'vitest';

import {
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

describe('rbac/create-pods', () => {
  runFindingCases(check, [
    {
      name: 'create pods in a namespace',
      objects: [role('shop', 'r', [rule(['create'], ['pods'])]), roleBinding('shop', 'b', ['Role', 'r'], [group('devs')])],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /^Group devs can create pods in namespace shop through RoleBinding shop\/b \(Role shop\/r rules\[0\]\)/,
        },
      ],
    },
    {
      name: 'create workloads of several kinds, cluster-wide',
      objects: [
        clusterRole('r', [rule(['create'], ['deployments', 'daemonsets'], ['apps']), rule(['create'], ['cronjobs'], ['batch'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [serviceAccount('argo', 'ci')]),
      ],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /can create deployments, daemonsets and cronjobs in every namespace/,
        },
      ],
    },
    {
      name: 'pods in the wrong API group grant nothing',
      objects: [
        clusterRole('r', [rule(['create'], ['pods'], ['rbac.authorization.k8s.io'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [group('x')]),
      ],
      expected: [],
    },
    {
      name: 'updating a Deployment’s template is creating pods',
      objects: [
        role('shop', 'r', [rule(['update', 'patch'], ['deployments'], ['apps'])]),
        roleBinding('shop', 'b', ['Role', 'r'], [group('x')]),
      ],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /^Group x can update the pod templates of deployments in namespace shop/,
        },
      ],
    },
    {
      name: 'updating pods or Jobs is not',
      objects: [
        role('shop', 'r', [rule(['update', 'patch'], ['pods', 'pods/status']), rule(['update'], ['jobs'], ['batch'])]),
        roleBinding('shop', 'b', ['Role', 'r'], [group('x')]),
      ],
      expected: [],
    },
    {
      name: 'system:serviceaccounts is judged',
      objects: [role('shop', 'r', [rule(['*'], ['pods'])]), roleBinding('shop', 'b', ['Role', 'r'], [group('system:serviceaccounts')])],
      expected: [
        { on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /^Group system:serviceaccounts can create pods/ },
      ],
    },
  ]);
});
