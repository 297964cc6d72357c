import { describe, expect, it } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  group,
  roleBinding,
  rule,
  serviceAccount,
  user,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import type { KubeObject } from '../../../k8s/types.js';
import { findingsOf } from '../../test-support/check-harness.js';
import check from './check.js';

const superuser = clusterRole('superuser', [rule(['*'], ['*'], ['*'])]);

const cases: {
  name: string;
  objects: KubeObject[];
  options?: unknown;
  expected: { binding: string; pointer: string; message: RegExp }[];
}[] = [
  {
    name: 'a group bound to cluster-admin (built in, not in the input)',
    objects: [clusterRoleBinding('ops', ['ClusterRole', 'cluster-admin'], [group('ops')])],
    expected: [
      { binding: 'ops', pointer: '/subjects/0', message: /^Group ops is bound to ClusterRole cluster-admin by ClusterRoleBinding ops/ },
    ],
  },
  {
    name: 'each non-system subject is reported; system groups are not',
    objects: [
      clusterRoleBinding('mixed', ['ClusterRole', 'cluster-admin'], [group('system:masters'), user('jane'), serviceAccount('ci', 'tools')]),
    ],
    expected: [
      { binding: 'mixed', pointer: '/subjects/1', message: /^User jane / },
      { binding: 'mixed', pointer: '/subjects/2', message: /^ServiceAccount tools\/ci / },
    ],
  },
  {
    name: 'a role equivalent to cluster-admin',
    objects: [superuser, clusterRoleBinding('ci', ['ClusterRole', 'superuser'], [serviceAccount('deployer', 'ci')])],
    expected: [
      {
        binding: 'ci',
        pointer: '/subjects/0',
        message: /to ClusterRole superuser, whose ClusterRole superuser rules\[0\] allows every verb/,
      },
    ],
  },
  {
    name: 'system:authenticated is judged (it is everyone)',
    objects: [clusterRoleBinding('oops', ['ClusterRole', 'cluster-admin'], [group('system:authenticated')])],
    expected: [{ binding: 'oops', pointer: '/subjects/0', message: /^Group system:authenticated/ }],
  },
  {
    name: 'bootstrap-policy bindings are skipped',
    objects: [
      clusterRoleBinding('cluster-admin', ['ClusterRole', 'cluster-admin'], [group('admins')], {
        labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      }),
    ],
    expected: [],
  },
  {
    name: 'a RoleBinding to cluster-admin is namespaced, not cluster-admin',
    objects: [roleBinding('shop', 'admins', ['ClusterRole', 'cluster-admin'], [group('shop-team')])],
    expected: [],
  },
  {
    name: 'a read-everything role is not cluster-admin',
    objects: [
      clusterRole('reader', [rule(['get', 'list', 'watch'], ['*'], ['*'])]),
      clusterRoleBinding('r', ['ClusterRole', 'reader'], [group('auditors')]),
    ],
    expected: [],
  },
  {
    name: 'all verbs on all core resources is not every group',
    objects: [clusterRole('core', [rule(['*'], ['*'], [''])]), clusterRoleBinding('c', ['ClusterRole', 'core'], [group('x')])],
    expected: [],
  },
  {
    name: 'ignoreSubjects accepts a break-glass group',
    objects: [clusterRoleBinding('bg', ['ClusterRole', 'cluster-admin'], [group('break-glass'), group('ops')])],
    options: { ignoreSubjects: ['Group:break-glass'] },
    expected: [{ binding: 'bg', pointer: '/subjects/1', message: /^Group ops/ }],
  },
];

describe('rbac/cluster-admin-binding', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = findingsOf(check, c.objects, c.options);
    expect(findings.map((f) => ({ binding: f.resource.name, pointer: f.location.pointer }))).toEqual(
      c.expected.map(({ binding, pointer }) => ({ binding, pointer })),
    );
    findings.forEach((f, i) => {
      expect(f.message).toMatch(c.expected[i]?.message ?? /$^/);
      expect(f.severity).toBe('critical');
    });
  });
});
