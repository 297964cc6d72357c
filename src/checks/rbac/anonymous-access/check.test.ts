import { describe } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  group,
  roleBinding,
  rule,
  urlRule,
  user,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/anonymous-access', () => {
  runFindingCases(check, [
    {
      name: 'resource access for system:anonymous is critical',
      objects: [clusterRole('r', [rule(['get'], ['pods'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [user('system:anonymous')])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'critical',
          message: /^User system:anonymous is bound by ClusterRoleBinding b to ClusterRole r in every namespace: anyone/,
        },
      ],
    },
    {
      name: 'system:unauthenticated in a RoleBinding',
      objects: [
        clusterRole('r', [rule(['list'], ['configmaps'])]),
        roleBinding('public', 'b', ['ClusterRole', 'r'], [user('jane'), group('system:unauthenticated')]),
      ],
      expected: [{ on: 'RoleBinding/b', pointer: '/subjects/1', severity: 'critical', message: /in namespace public/ }],
    },
    {
      name: 'the default health and version grant is low (role not in the input)',
      objects: [
        clusterRoleBinding(
          'system:public-info-viewer',
          ['ClusterRole', 'system:public-info-viewer'],
          [group('system:authenticated'), group('system:unauthenticated')],
          { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
        ),
      ],
      expected: [
        {
          on: 'ClusterRoleBinding/system:public-info-viewer',
          pointer: '/subjects/1',
          severity: 'low',
          message: /health and version endpoints/,
        },
      ],
    },
    {
      name: 'discovery URLs are medium',
      objects: [
        clusterRole('d', [urlRule(['get'], ['/api', '/api/*', '/healthz'])]),
        clusterRoleBinding('b', ['ClusterRole', 'd'], [group('system:unauthenticated')]),
      ],
      expected: [{ on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'medium', message: /API discovery/ }],
    },
    {
      name: 'a missing role is medium',
      objects: [clusterRoleBinding('b', ['ClusterRole', 'later'], [user('system:anonymous')])],
      expected: [{ on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'medium', message: /which does not exist/ }],
    },
    {
      name: 'authenticated users only',
      objects: [
        clusterRole('r', [rule(['get'], ['pods'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [group('system:authenticated')]),
      ],
      expected: [],
    },
  ]);
});
