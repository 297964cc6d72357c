import { describe } from 'vitest';

import { clusterRole, role, roleBinding, rule, user } from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/pods-port-forward', () => {
  runFindingCases(check, [
    {
      name: 'create pods/portforward',
      objects: [role('db', 'r', [rule(['create'], ['pods/portforward'])]), roleBinding('db', 'b', ['Role', 'r'], [user('alice')])],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'medium',
          message: /^User alice can create pods\/portforward in namespace db/,
        },
      ],
    },
    {
      name: 'get only is low',
      objects: [clusterRole('r', [rule(['get'], ['pods/portforward'])]), roleBinding('db', 'b', ['ClusterRole', 'r'], [user('alice')])],
      expected: [{ on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'low', message: /can get pods\/portforward/ }],
    },
    {
      name: 'pods/* grants nothing',
      objects: [role('db', 'r', [rule(['create'], ['pods/*'])]), roleBinding('db', 'b', ['Role', 'r'], [user('alice')])],
      expected: [],
    },
  ]);
});
