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
import { container, pod } from '../../test-support/check-harness.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

const app = pod('app', { serviceAccountName: 'app', containers: [container('c')] });

describe('rbac/workload-token-risky-permissions', () => {
  runFindingCases(check, [
    {
      name: 'the account can create pods cluster-wide',
      objects: [
        app,
        clusterRole('r', [rule(['create'], ['pods'])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [group('dev'), serviceAccount('app', 'default')]),
      ],
      expected: [
        {
          on: 'Pod/app',
          pointer: '/spec',
          severity: 'high',
          message:
            /^Pod "app" mounts the token of ServiceAccount default\/app, which can create pods or workloads \(create pods\) \(for example through ClusterRoleBinding b → ClusterRole r rules\[0\]\)/,
        },
      ],
    },
    {
      name: 'through the group of every service account, cluster-admin',
      objects: [app, clusterRoleBinding('oops', ['ClusterRole', 'cluster-admin'], [group('system:serviceaccounts')])],
      expected: [{ on: 'Pod/app', pointer: '/spec', severity: 'critical', message: /do anything \(cluster-admin\)/ }],
    },
    {
      name: 'secrets of another namespace count too',
      objects: [
        app,
        role('vault', 'r', [rule(['get'], ['secrets'])]),
        roleBinding('vault', 'b', ['Role', 'r'], [serviceAccount('app', 'default')]),
      ],
      expected: [{ on: 'Pod/app', pointer: '/spec', severity: 'high', message: /read secrets \(get secrets\)/ }],
    },
    {
      name: 'token not mounted',
      objects: [
        pod('app', { serviceAccountName: 'app', automountServiceAccountToken: false, containers: [container('c')] }),
        clusterRoleBinding('b', ['ClusterRole', 'cluster-admin'], [serviceAccount('app', 'default')]),
      ],
      expected: [],
    },
    {
      name: 'harmless permissions',
      objects: [
        app,
        role('default', 'r', [rule(['get', 'list'], ['configmaps'])]),
        roleBinding('default', 'b', ['Role', 'r'], [serviceAccount('app')]),
      ],
      expected: [],
    },
    {
      name: 'named secrets only',
      objects: [
        app,
        role('default', 'r', [rule(['get'], ['secrets'], [''], { resourceNames: ['app-tls'] })]),
        roleBinding('default', 'b', ['Role', 'r'], [serviceAccount('app')]),
      ],
      expected: [],
    },
    {
      name: 'an accepted account',
      objects: [app, clusterRoleBinding('b', ['ClusterRole', 'cluster-admin'], [serviceAccount('app', 'default')])],
      options: { ignoreSubjects: ['ServiceAccount:default/*'] },
      expected: [],
    },
    {
      name: 'bootstrap-policy bindings do not count',
      objects: [
        app,
        clusterRoleBinding('sys', ['ClusterRole', 'cluster-admin'], [serviceAccount('app', 'default')], {
          labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
        }),
      ],
      expected: [],
    },
  ]);
});
