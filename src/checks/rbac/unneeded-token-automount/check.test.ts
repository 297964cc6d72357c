import { describe } from 'vitest';

import { clusterRoleBinding, group, roleBinding, serviceAccount } from '../../../analysis/rbac/test-support/rbac-builders.js';
import type { KubeObject } from '../../../k8s/types.js';
import { container, deployment, object, pod } from '../../test-support/check-harness.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

const sa = (name: string, automount?: boolean): KubeObject =>
  object('v1', 'ServiceAccount', name, automount === undefined ? {} : { automountServiceAccountToken: automount }, {
    namespace: 'default',
  });

describe('rbac/unneeded-token-automount', () => {
  runFindingCases(check, [
    {
      name: 'mounted by default, account bound to nothing',
      objects: [pod('p', { containers: [container('c')] })],
      expected: [
        {
          on: 'Pod/p',
          pointer: '/spec',
          severity: 'low',
          message: /^Pod "p" gets the token of ServiceAccount default\/default mounted by default/,
        },
      ],
    },
    {
      name: 'explicitly true in the pod wins over the account’s false',
      objects: [
        pod('p', { automountServiceAccountToken: true, serviceAccountName: 'quiet', containers: [container('c')] }),
        sa('quiet', false),
      ],
      expected: [
        {
          on: 'Pod/p',
          pointer: '/spec/automountServiceAccountToken',
          severity: 'low',
          message: /sets automountServiceAccountToken: true, but no binding grants ServiceAccount default\/quiet/,
        },
      ],
    },
    {
      name: 'the deprecated serviceAccount field names the account',
      objects: [deployment('d', { serviceAccount: 'old', containers: [container('c')] })],
      expected: [{ on: 'Deployment/d', pointer: '/spec/template/spec', severity: 'low', message: /ServiceAccount default\/old/ }],
    },
    { name: 'false in the pod', objects: [pod('p', { automountServiceAccountToken: false, containers: [container('c')] })], expected: [] },
    {
      name: 'false on the account, unset in the pod',
      objects: [pod('p', { serviceAccountName: 'quiet', containers: [container('c')] }), sa('quiet', false)],
      expected: [],
    },
    {
      name: 'the account is granted a role: the token is needed',
      objects: [
        pod('p', { serviceAccountName: 'api', containers: [container('c')] }),
        roleBinding('default', 'b', ['Role', 'anything'], [serviceAccount('api')]),
      ],
      expected: [],
    },
    {
      name: 'every account of the namespace is granted a role',
      objects: [
        pod('p', { containers: [container('c')] }),
        roleBinding('default', 'b', ['ClusterRole', 'view'], [group('system:serviceaccounts:default')]),
      ],
      expected: [],
    },
    {
      name: 'a grant to an account of the same name in another namespace does not count',
      objects: [
        pod('p', { serviceAccountName: 'api', containers: [container('c')] }),
        clusterRoleBinding('b', ['ClusterRole', 'view'], [serviceAccount('api', 'other')]),
      ],
      expected: [{ on: 'Pod/p', pointer: '/spec', severity: 'low', message: /ServiceAccount default\/api/ }],
    },
  ]);
});
