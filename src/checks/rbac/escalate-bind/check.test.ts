import { describe } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  rule,
  user,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

const RBAC = 'rbac.authorization.k8s.io';

describe('rbac/escalate-bind', () => {
  runFindingCases(check, [
    {
      name: 'bind clusterroles through a RoleBinding (checked in the binding namespace)',
      objects: [
        clusterRole('r', [rule(['bind'], ['clusterroles'], [RBAC])]),
        roleBinding('shop', 'b', ['ClusterRole', 'r'], [group('leads')]),
      ],
      expected: [
        { on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /^Group leads can bind clusterroles in namespace shop/ },
      ],
    },
    {
      name: 'escalate clusterroles cluster-wide',
      objects: [
        clusterRole('r', [rule(['escalate', 'update'], ['clusterroles'], [RBAC])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [user('jane')]),
      ],
      expected: [
        { on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /can escalate clusterroles in every namespace/ },
      ],
    },
    {
      name: 'escalate clusterroles through a RoleBinding grants nothing',
      objects: [
        clusterRole('r', [rule(['escalate'], ['clusterroles'], [RBAC])]),
        roleBinding('shop', 'b', ['ClusterRole', 'r'], [user('jane')]),
      ],
      expected: [],
    },
    {
      name: 'bind limited to named roles is medium',
      objects: [
        role('shop', 'r', [rule(['bind'], ['clusterroles'], [RBAC], { resourceNames: ['view', 'edit'] })]),
        roleBinding('shop', 'b', ['Role', 'r'], [user('jane')]),
      ],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'medium',
          message: /can bind clusterroles for the roles "view" and "edit"/,
        },
      ],
    },
    {
      name: 'managing bindings without bind is fine',
      objects: [
        role('shop', 'r', [rule(['create', 'update'], ['rolebindings', 'roles'], [RBAC])]),
        roleBinding('shop', 'b', ['Role', 'r'], [user('jane')]),
      ],
      expected: [],
    },
  ]);
});
