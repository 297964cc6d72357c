import { describe, expect, it } from 'vitest';

import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import { RbacIndex } from './rbac-index.js';
import { resourceRequest } from './request.js';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  indexOf,
  role,
  roleBinding,
  rule,
  serviceAccount,
  user,
} from './test-support/rbac-builders.js';
import { authenticatedUser } from './user-info.js';

const req = (verb: string, resource: string, namespace = '', name = ''): ReturnType<typeof resourceRequest> =>
  resourceRequest({ verb, resource, namespace, name });

describe('reading untrusted RBAC objects', () => {
  const odd: KubeObject[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'odd' },
      rules: [
        { verbs: 'get', resources: ['pods'], apiGroups: [''] },
        'nonsense',
        { verbs: ['list', 7], resources: ['pods'], apiGroups: [''] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'no-ref' },
      subjects: [{ kind: 'User', name: 'jane' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'odd' },
      roleRef: { kind: 'ClusterRole', name: 'odd' },
      subjects: [{ kind: 'User' }, { kind: 'User', name: 'jane' }, 'x'],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'bad-agg' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 1 } }] },
    },
  ];

  it('reads around bad fields, reports each, and never throws', () => {
    const index = indexOf(odd);
    expect(index.problems.map((p) => `${p.entry.ref.kind}/${p.entry.ref.name} ${p.pointer}`)).toEqual([
      'ClusterRole/odd /rules/0/verbs',
      'ClusterRole/odd /rules/1',
      'ClusterRole/odd /rules/2/verbs/1',
      'ClusterRole/bad-agg /aggregationRule/clusterRoleSelectors/0',
      'ClusterRoleBinding/no-ref /roleRef',
      'ClusterRoleBinding/odd /subjects/0',
      'ClusterRoleBinding/odd /subjects/2',
    ]);
    const jane = authenticatedUser('jane');
    // verbs: "get" (not a list) grants nothing; the good part of rules[2] still grants list.
    expect(index.can(jane, req('get', 'pods', 'a')).allowed).toBe(false);
    const listed = index.can(jane, req('list', 'pods', 'a'));
    expect(listed.grants.map((g) => (g.via === 'rbac' ? [g.subject?.index, g.rule.index] : []))).toEqual([[1, 2]]);
  });
});

describe('RbacIndex queries', () => {
  const objects = [
    clusterRole('reader', [rule(['get', 'list'], ['secrets'])]),
    role('shop', 'local', [rule(['get'], ['secrets'])]),
    clusterRoleBinding('crb', ['ClusterRole', 'reader'], [group('auditors'), serviceAccount('ghost')]),
    roleBinding('shop', 'rb', ['ClusterRole', 'reader'], [user('jane'), serviceAccount('api')]),
    roleBinding('shop', 'rb-local', ['Role', 'local'], [user('sam')]),
    roleBinding('prod', 'rb-prod', ['ClusterRole', 'reader'], [user('pat')]),
    clusterRole('reader', [rule(['*'], ['*'], ['*'])]), // a second definition: the first one counts
  ];
  const index = indexOf(objects);

  it('uses the first definition of a duplicated ClusterRole', () => {
    expect(index.can(authenticatedUser('auditor', ['auditors']), req('delete', 'nodes')).allowed).toBe(false);
  });

  it('whoCan lists the subjects the authorizer would consult for the request', () => {
    const names = (scope: 'request' | 'anywhere', namespace: string): string[] =>
      index.whoCan(req('get', 'secrets', namespace), scope).map((e) => `${e.subject.kind}/${e.subject.namespace ?? ''}/${e.subject.name}`);
    expect(names('request', 'shop')).toEqual([
      'User//jane',
      'User//sam',
      'Group//auditors',
      'Group//system:masters',
      'ServiceAccount/shop/api',
    ]);
    expect(names('request', '')).toEqual(['Group//auditors', 'Group//system:masters']);
    expect(names('anywhere', '')).toEqual([
      'User//jane',
      'User//pat',
      'User//sam',
      'Group//auditors',
      'Group//system:masters',
      'ServiceAccount/shop/api',
    ]);
  });

  it('grantsFor with anyName also finds rules limited to names', () => {
    const named = indexOf([
      role('a', 'r', [rule(['get'], ['secrets'], [''], { resourceNames: ['s1'] })]),
      roleBinding('a', 'b', ['Role', 'r'], [user('u')]),
    ]);
    expect(named.grantsFor(req('get', 'secrets', 'a')).length).toBe(0);
    expect(named.grantsFor(req('get', 'secrets', 'a'), 'request', { anyName: true }).map((g) => g.rule.rule.resourceNames)).toEqual([
      ['s1'],
    ]);
  });

  it('rulesFor gives every rule that applies in a namespace', () => {
    const rules = index.rulesFor(authenticatedUser('jane'), 'shop');
    expect(rules.grants.map((g) => `${g.binding.name}:${g.rule.index}`)).toEqual(['rb:0']);
    expect(index.rulesFor(authenticatedUser('jane'), 'prod').grants).toEqual([]);
    expect(index.rulesFor(authenticatedUser('root', ['system:masters']), '').privileged).toBe(true);
  });

  it('subjects() and bindingsOf() resolve service-account namespaces and skip subjects that match nobody', () => {
    expect(index.subjects().map((s) => `${s.kind}/${s.namespace ?? ''}/${s.name}`)).toEqual([
      'User//jane',
      'User//pat',
      'User//sam',
      'Group//auditors',
      'ServiceAccount/shop/api',
    ]);
    expect(index.bindingsOf({ kind: 'ServiceAccount', namespace: 'shop', name: 'api' }).map((b) => b.binding.name)).toEqual(['rb']);
    expect(index.bindingsOf({ kind: 'Group', name: 'auditors' }).map((b) => b.binding.name)).toEqual(['crb']);
  });

  it('is rebuilt when the Inventory changes', () => {
    const { inventory } = Inventory.from([{ object: role('a', 'r', [rule(['get'], ['pods'])]) }]);
    const before = RbacIndex.of(inventory);
    expect(RbacIndex.of(inventory)).toBe(before);
    inventory.add({ object: roleBinding('a', 'b', ['Role', 'r'], [user('u')]) });
    const after = RbacIndex.of(inventory);
    expect(after).not.toBe(before);
    expect(after.can(authenticatedUser('u'), req('get', 'pods', 'a')).allowed).toBe(true);
  });
});
