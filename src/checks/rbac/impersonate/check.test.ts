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

describe('rbac/impersonate', () => {
  runFindingCases(check, [
    {
      name: 'impersonate groups cluster-wide (system:masters included)',
      objects: [clusterRole('r', [rule(['impersonate'], ['groups'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('support')])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'critical',
          message: /^Group support can impersonate groups cluster-wide .*system:masters/,
        },
      ],
    },
    {
      name: 'impersonate service accounts in a namespace is high',
      objects: [role('ci', 'r', [rule(['impersonate'], ['serviceaccounts'])]), roleBinding('ci', 'b', ['Role', 'r'], [user('jenkins')])],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /^User jenkins can impersonate serviceaccounts in namespace ci/,
        },
      ],
    },
    {
      name: 'users cannot be impersonated through a RoleBinding',
      objects: [
        clusterRole('r', [rule(['impersonate'], ['users', 'groups'])]),
        roleBinding('ci', 'b', ['ClusterRole', 'r'], [user('jenkins')]),
      ],
      expected: [],
    },
    {
      name: 'named users only is medium',
      objects: [
        clusterRole('r', [rule(['impersonate'], ['users'], [''], { resourceNames: ['alice'] })]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [user('proxy')]),
      ],
      expected: [
        { on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'medium', message: /can impersonate the users named "alice"/ },
      ],
    },
    {
      name: 'userextras alone cannot change who you are',
      objects: [
        clusterRole('r', [rule(['impersonate'], ['userextras/scopes'], ['authentication.k8s.io'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [user('proxy')]),
      ],
      expected: [],
    },
  ]);
});
