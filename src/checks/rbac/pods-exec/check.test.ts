import { describe } from 'vitest';

import { clusterRole, clusterRoleBinding, group, roleBinding, rule } from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

describe('rbac/pods-exec', () => {
  runFindingCases(check, [
    {
      name: 'create pods/exec',
      objects: [clusterRole('r', [rule(['create'], ['pods/exec'])]), roleBinding('shop', 'b', ['ClusterRole', 'r'], [group('devs')])],
      expected: [
        { on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /^Group devs can create pods\/exec in namespace shop/ },
      ],
    },
    {
      name: 'create on */attach',
      objects: [clusterRole('r', [rule(['create'], ['*/attach'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('devs')])],
      expected: [
        { on: 'ClusterRoleBinding/b', pointer: '/subjects/0', severity: 'high', message: /can create pods\/attach in every namespace/ },
      ],
    },
    {
      name: 'get only is medium',
      objects: [clusterRole('r', [rule(['get'], ['pods/exec'])]), roleBinding('shop', 'b', ['ClusterRole', 'r'], [group('devs')])],
      expected: [
        { on: 'RoleBinding/b', pointer: '/subjects/0', severity: 'medium', message: /has get on pods\/exec in namespace shop .*WebSocket/ },
      ],
    },
    {
      name: '"pods/*" grants no exec',
      objects: [clusterRole('r', [rule(['create'], ['pods/*'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('devs')])],
      expected: [],
    },
    {
      name: 'pods/log is not exec',
      objects: [
        clusterRole('r', [rule(['get', 'create'], ['pods/log', 'pods'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [group('devs')]),
      ],
      expected: [],
    },
  ]);
});
