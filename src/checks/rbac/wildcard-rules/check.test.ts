import { describe, expect, it } from 'vitest';

import { aggregatedClusterRole, clusterRole, role, rule, urlRule } from '../../../analysis/rbac/test-support/rbac-builders.js';
import type { KubeObject } from '../../../k8s/types.js';
import { findingsOf } from '../../test-support/check-harness.js';
import check from './check.js';

const cases: { name: string; object: KubeObject; expected: { pointer: string; severity: string; message: RegExp }[] }[] = [
  {
    name: '* verbs',
    object: role('shop', 'r', [rule(['*'], ['configmaps'])]),
    expected: [{ pointer: '/rules/0/verbs/0', severity: 'medium', message: /rules\[0\] uses \* in verbs:/ }],
  },
  {
    name: '* resources and groups, named in order',
    object: clusterRole('r', [rule(['get'], ['pods', '*'], ['apps', '*'])]),
    expected: [{ pointer: '/rules/0/apiGroups/1', severity: 'medium', message: /uses \* in apiGroups, resources:/ }],
  },
  {
    name: 'everything, in a Role',
    object: role('shop', 'admin', [rule(['get'], ['pods']), rule(['*'], ['*'], ['*'])]),
    expected: [
      { pointer: '/rules/1/verbs/0', severity: 'high', message: /every verb on every resource of every API group in namespace shop/ },
    ],
  },
  {
    name: '* non-resource URLs',
    object: clusterRole('urls', [urlRule(['get'], ['*'])]),
    expected: [{ pointer: '/rules/0/nonResourceURLs/0', severity: 'medium', message: /uses \* in nonResourceURLs/ }],
  },
  {
    name: '"pods/*" is reported as a false wildcard, not as a wildcard',
    object: clusterRole('debug', [rule(['create'], ['pods/*', '*/*', 'secret*'])]),
    expected: [
      { pointer: '/rules/0/resources/0', severity: 'low', message: /"pods\/\*", which the API server does not expand/ },
      { pointer: '/rules/0/resources/1', severity: 'low', message: /"\*\/\*"/ },
      { pointer: '/rules/0/resources/2', severity: 'low', message: /"secret\*"/ },
    ],
  },
  {
    name: '*/scale is a real wildcard form, and explicit',
    object: role('shop', 'r', [rule(['update'], ['*/scale'], ['apps'])]),
    expected: [],
  },
  { name: 'explicit lists', object: role('shop', 'r', [rule(['get', 'list'], ['pods', 'pods/log'])]), expected: [] },
  {
    name: 'bootstrap-policy roles are skipped',
    object: clusterRole('cluster-admin', [rule(['*'], ['*'], ['*'])], { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }),
    expected: [],
  },
  { name: 'aggregated ClusterRoles are skipped', object: aggregatedClusterRole('agg', [{}], [rule(['*'], ['*'], ['*'])]), expected: [] },
];

describe('rbac/wildcard-rules', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = findingsOf(check, [c.object]);
    expect(findings.map((f) => ({ pointer: f.location.pointer, severity: f.severity }))).toEqual(
      c.expected.map(({ pointer, severity }) => ({ pointer, severity })),
    );
    findings.forEach((f, i) => {
      expect(f.message).toMatch(c.expected[i]?.message ?? /$^/);
    });
  });
});
