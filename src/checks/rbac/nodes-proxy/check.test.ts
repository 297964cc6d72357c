import { describe } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  group,
  roleBinding,
  rule,
  serviceAccount,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/nodes-proxy', () => {
  runFindingCases(check, [
    {
      name: 'get nodes/proxy cluster-wide',
      objects: [
        clusterRole('r', [rule(['get'], ['nodes/proxy'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [serviceAccount('agent', 'tools')]),
      ],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /^ServiceAccount tools\/agent can get nodes\/proxy cluster-wide/,
        },
      ],
    },
    {
      name: 'through */proxy and * verbs',
      objects: [clusterRole('r', [rule(['*'], ['*/proxy'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('sre')])],
      expected: [{ on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /can get and create nodes\/proxy/ }],
    },
    {
      name: 'a RoleBinding cannot grant it (nodes are cluster-scoped)',
      objects: [clusterRole('r', [rule(['get'], ['nodes/proxy'])]), roleBinding('tools', 'b', ['ClusterRole', 'r'], [group('sre')])],
      expected: [],
    },
    {
      name: 'nodes/metrics is not nodes/proxy',
      objects: [
        clusterRole('r', [rule(['get'], ['nodes/metrics', 'nodes/stats', 'nodes'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [group('sre')]),
      ],
      expected: [],
    },
    {
      name: 'services/proxy is not nodes/proxy',
      objects: [clusterRole('r', [rule(['get'], ['services/proxy'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('sre')])],
      expected: [],
    },
  ]);
});
