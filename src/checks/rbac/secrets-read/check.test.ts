import { describe, expect, it } from 'vitest';

import {
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  rule,
  serviceAccount,
  user,
} from '../../../analysis/rbac/test-support/rbac-builders.js';
import type { KubeObject } from '../../../k8s/types.js';
import { deployment, findingsOf } from '../../test-support/check-harness.js';
import check from './check.js';

const named = (names: string[]): KubeObject => role('shop', 'named', [rule(['get'], ['secrets'], [''], { resourceNames: names })]);
const apiDeployment = deployment(
  'api',
  {
    serviceAccountName: 'api',
    containers: [{ name: 'api', image: 'x:1', envFrom: [{ secretRef: { name: 'api-env' } }] }],
    volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 'api-projected' } }] } }],
  },
  { namespace: 'shop' },
);

const cases: { name: string; objects: KubeObject[]; expected: { pointer: string; severity: string; message: RegExp }[] }[] = [
  {
    name: 'list and watch cluster-wide',
    objects: [clusterRole('r', [rule(['list', 'watch'], ['secrets'])]), clusterRoleBinding('b', ['ClusterRole', 'r'], [group('support')])],
    expected: [
      {
        pointer: '/subjects/0',
        severity: 'high',
        message:
          /^Group support can list and watch secrets in every namespace through ClusterRoleBinding b \(ClusterRole r rules\[0\]\): list and watch return every Secret/,
      },
    ],
  },
  {
    name: 'get any secret in one namespace',
    objects: [role('shop', 'r', [rule(['get'], ['secrets'])]), roleBinding('shop', 'b', ['Role', 'r'], [user('jane')])],
    expected: [
      {
        pointer: '/subjects/0',
        severity: 'high',
        message: /^User jane can get any Secret by name in namespace shop through RoleBinding shop\/b/,
      },
    ],
  },
  {
    name: 'through * verbs and * resources in the core group',
    objects: [clusterRole('r', [rule(['*'], ['*'])]), roleBinding('kube-system', 'b', ['ClusterRole', 'r'], [user('jane')])],
    expected: [{ pointer: '/subjects/0', severity: 'high', message: /can get, list and watch secrets in namespace kube-system/ }],
  },
  {
    name: 'named secrets beyond what the account’s workloads use',
    objects: [named(['api-env', 'db-root']), roleBinding('shop', 'b', ['Role', 'named'], [serviceAccount('api')]), apiDeployment],
    expected: [{ pointer: '/subjects/0', severity: 'medium', message: /can read the Secrets "db-root" in namespace shop/ }],
  },
  {
    name: 'named secrets the workloads use (envFrom, projected)',
    objects: [named(['api-env', 'api-projected']), roleBinding('shop', 'b', ['Role', 'named'], [serviceAccount('api')]), apiDeployment],
    expected: [],
  },
  {
    name: 'named secrets read by a user are beyond any workload',
    objects: [named(['api-env']), roleBinding('shop', 'b', ['Role', 'named'], [user('jane')]), apiDeployment],
    expected: [{ pointer: '/subjects/0', severity: 'medium', message: /^User jane can read the Secrets "api-env"/ }],
  },
  {
    name: 'secrets in another API group are not Secrets',
    objects: [
      clusterRole('r', [rule(['get', 'list'], ['secrets'], ['example.com'])]),
      clusterRoleBinding('b', ['ClusterRole', 'r'], [user('jane')]),
    ],
    expected: [],
  },
  {
    name: 'create and update do not read',
    objects: [
      role('shop', 'r', [rule(['create', 'update', 'delete'], ['secrets'])]),
      roleBinding('shop', 'b', ['Role', 'r'], [user('jane')]),
    ],
    expected: [],
  },
  {
    name: 'Kubernetes’ own users are not judged',
    objects: [
      clusterRole('r', [rule(['get'], ['secrets'])]),
      clusterRoleBinding('b', ['ClusterRole', 'r'], [user('system:kube-scheduler'), user('system:anonymous')]),
    ],
    expected: [{ pointer: '/subjects/1', severity: 'high', message: /^User system:anonymous/ }],
  },
  {
    name: 'cluster-admin subjects are left to rbac/cluster-admin-binding',
    objects: [clusterRoleBinding('b', ['ClusterRole', 'cluster-admin'], [user('jane')])],
    expected: [],
  },
];

describe('rbac/secrets-read', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = findingsOf(check, c.objects);
    expect(findings.map((f) => ({ pointer: f.location.pointer, severity: f.severity }))).toEqual(
      c.expected.map(({ pointer, severity }) => ({ pointer, severity })),
    );
    findings.forEach((f, i) => {
      expect(f.message).toMatch(c.expected[i]?.message ?? /$^/);
    });
  });
});
