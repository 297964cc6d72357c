import { describe } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  role,
  roleBinding,
  rule,
  serviceAccount,
  user,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/serviceaccount-token-create', () => {
  runFindingCases(check, [
    {
      name: 'create serviceaccounts/token in kube-system',
      objects: [
        role('kube-system', 'r', [rule(['create'], ['serviceaccounts/token'])]),
        roleBinding('kube-system', 'b', ['Role', 'r'], [serviceAccount('vault', 'vault')]),
      ],
      expected: [
        {
          on: 'RoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /^ServiceAccount vault\/vault can create tokens for any service account in namespace kube-system/,
        },
      ],
    },
    {
      name: 'through */token cluster-wide',
      objects: [clusterRole('r', [rule(['create'], ['*/token'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [user('ci')])],
      expected: [{ on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /in every namespace/ }],
    },
    {
      name: 'named accounts are medium',
      objects: [
        role('shop', 'r', [rule(['create'], ['serviceaccounts/token'], [''], { resourceNames: ['deployer'] })]),
        roleBinding('shop', 'b', ['Role', 'r'], [user('ci')]),
      ],
      expected: [{ on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'medium', message: /for the service accounts "deployer"/ }],
    },
    {
      name: 'an account minting its own tokens',
      objects: [
        role('shop', 'r', [rule(['create'], ['serviceaccounts/token'], [''], { resourceNames: ['api'] })]),
        roleBinding('shop', 'b', ['Role', 'r'], [serviceAccount('api')]),
      ],
      expected: [],
    },
    {
      name: 'reading service accounts is not minting tokens',
      objects: [role('shop', 'r', [rule(['get', 'list'], ['serviceaccounts'])]), roleBinding('shop', 'b', ['Role', 'r'], [user('ci')])],
      expected: [],
    },
  ]);
});
