/**
 * The RBAC authorizer, case by case, written from the documented semantics ("Using RBAC
 * Authorization", the rbac.authorization.k8s.io/v1 reference) and the upstream matching rules
 * (evaluation_helpers.go VerbMatches / APIGroupMatches / ResourceMatches / ResourceNameMatches /
 * NonResourceURLMatches; rule.go VisitRulesFor / appliesToUser; the clusterrole-aggregation controller;
 * the authenticators' implicit groups).
 */
import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import type { Grant } from './rbac-index.js';
import { nonResourceRequest, resourceRequest, type AccessRequest } from './request.js';
import {
  aggregatedClusterRole,
  clusterRole,
  clusterRoleBinding,
  group,
  indexOf,
  role,
  roleBinding,
  rule,
  serviceAccount,
  urlRule,
  user,
} from './test-support/rbac-builders.js';
import { authenticatedUser, type UserInfo } from './user-info.js';

interface Case {
  readonly name: string;
  /** User name; implicit groups are added as the authenticators add them unless `rawGroups` is set. */
  readonly as: string;
  readonly groups?: string[];
  readonly rawGroups?: boolean;
  readonly request: AccessRequest;
  readonly allowed: boolean;
  /** The bindings whose grants must be listed (`Kind/name`), when allowed. */
  readonly via?: string[];
}

interface Scenario {
  readonly name: string;
  readonly objects: KubeObject[];
  readonly cases: Case[];
}

/** `get pods/exec in ns x name y` → a resource request; the resource may carry `/subresource`. */
function req(verb: string, resource: string, options: { ns?: string; name?: string; group?: string } = {}): AccessRequest {
  const [res, sub = ''] = resource.split('/', 2) as [string, string?];
  return resourceRequest({
    verb,
    resource: res,
    subresource: sub,
    apiGroup: options.group ?? '',
    ...(options.ns === undefined ? {} : { namespace: options.ns }),
    ...(options.name === undefined ? {} : { name: options.name }),
  });
}

const url = (verb: string, path: string): AccessRequest => nonResourceRequest(verb, path);

/** One subject, one rule, bound cluster-wide: the smallest world for rule-matching cases. */
function oneRule(spec: Parameters<typeof clusterRole>[1][number]): KubeObject[] {
  return [clusterRole('r', [spec]), clusterRoleBinding('b', ['ClusterRole', 'r'], [user('jane')])];
}

const scenarios: Scenario[] = [
  {
    name: 'verbs',
    objects: oneRule(rule(['get', 'list'], ['pods'])),
    cases: [
      {
        name: 'an exact verb is allowed',
        as: 'jane',
        request: req('get', 'pods', { ns: 'a', name: 'p' }),
        allowed: true,
        via: ['ClusterRoleBinding/b'],
      },
      { name: 'another listed verb is allowed', as: 'jane', request: req('list', 'pods', { ns: 'a' }), allowed: true },
      { name: 'an unlisted verb is denied', as: 'jane', request: req('delete', 'pods', { ns: 'a', name: 'p' }), allowed: false },
      { name: 'watch is its own verb (list does not imply it)', as: 'jane', request: req('watch', 'pods', { ns: 'a' }), allowed: false },
      { name: 'a different user is denied', as: 'joe', request: req('get', 'pods', { ns: 'a' }), allowed: false },
    ],
  },
  {
    name: 'verb wildcard and case',
    objects: [
      clusterRole('all-verbs', [rule(['*'], ['configmaps'])]),
      clusterRole('upper', [rule(['Get'], ['secrets'])]),
      clusterRole('no-verbs', [rule([], ['services'])]),
      clusterRoleBinding('b1', ['ClusterRole', 'all-verbs'], [user('jane')]),
      clusterRoleBinding('b2', ['ClusterRole', 'upper'], [user('jane')]),
      clusterRoleBinding('b3', ['ClusterRole', 'no-verbs'], [user('jane')]),
    ],
    cases: [
      { name: 'verb * allows a standard verb', as: 'jane', request: req('deletecollection', 'configmaps', { ns: 'a' }), allowed: true },
      { name: 'verb * allows a special verb (escalate)', as: 'jane', request: req('escalate', 'configmaps', { ns: 'a' }), allowed: true },
      { name: 'verbs are case-sensitive ("Get" is not "get")', as: 'jane', request: req('get', 'secrets', { ns: 'a' }), allowed: false },
      { name: 'an empty verbs list allows nothing', as: 'jane', request: req('get', 'services', { ns: 'a' }), allowed: false },
    ],
  },
  {
    name: 'API groups',
    objects: [
      clusterRole('core-only', [rule(['get'], ['*'], [''])]),
      clusterRole('apps-only', [rule(['get'], ['deployments'], ['apps'])]),
      clusterRole('any-group', [rule(['list'], ['deployments'], ['*'])]),
      clusterRole('no-groups', [rule(['watch'], ['deployments'], [])]),
      clusterRoleBinding('b1', ['ClusterRole', 'core-only'], [user('jane')]),
      clusterRoleBinding('b2', ['ClusterRole', 'apps-only'], [user('jane')]),
      clusterRoleBinding('b3', ['ClusterRole', 'any-group'], [user('jane')]),
      clusterRoleBinding('b4', ['ClusterRole', 'no-groups'], [user('jane')]),
    ],
    cases: [
      {
        name: '"" is the core group only (resources * in core does not reach apps)',
        as: 'jane',
        request: req('get', 'secrets', { ns: 'a', name: 's' }),
        allowed: true,
      },
      {
        name: 'a core-group rule does not grant apps resources',
        as: 'jane',
        request: req('get', 'statefulsets', { ns: 'a', group: 'apps' }),
        allowed: false,
      },
      {
        name: 'the exact group is allowed',
        as: 'jane',
        request: req('get', 'deployments', { ns: 'a', group: 'apps' }),
        allowed: true,
        via: ['ClusterRoleBinding/b2'],
      },
      {
        name: 'the same resource in another group is denied',
        as: 'jane',
        request: req('get', 'deployments', { ns: 'a', group: 'extensions' }),
        allowed: false,
      },
      {
        name: 'apiGroups * matches any group',
        as: 'jane',
        request: req('list', 'deployments', { ns: 'a', group: 'extensions' }),
        allowed: true,
      },
      { name: 'apiGroups * matches the core group too', as: 'jane', request: req('list', 'deployments', { ns: 'a' }), allowed: true },
      {
        name: 'an empty apiGroups list matches no resource request',
        as: 'jane',
        request: req('watch', 'deployments', { ns: 'a', group: 'apps' }),
        allowed: false,
      },
    ],
  },
  {
    name: 'resources and subresources',
    objects: [
      clusterRole('r', [
        rule(['get'], ['pods']),
        rule(['create'], ['pods/exec']),
        rule(['get'], ['pods/log']),
        rule(['update'], ['*/scale'], ['*']),
        rule(['patch'], ['pods/*']),
        rule(['delete'], ['*/*']),
        rule(['list'], ['Services']),
      ]),
      clusterRole('star', [rule(['watch'], ['*'], ['*'])]),
      clusterRoleBinding('b', ['ClusterRole', 'r'], [user('jane')]),
      clusterRoleBinding('s', ['ClusterRole', 'star'], [user('sam')]),
    ],
    cases: [
      {
        name: '"pods" does not grant a pods subresource',
        as: 'jane',
        request: req('get', 'pods/status', { ns: 'a', name: 'p' }),
        allowed: false,
      },
      {
        name: '"pods/exec" grants exactly that subresource',
        as: 'jane',
        request: req('create', 'pods/exec', { ns: 'a', name: 'p' }),
        allowed: true,
      },
      { name: '"pods/exec" does not grant the pods resource', as: 'jane', request: req('create', 'pods', { ns: 'a' }), allowed: false },
      { name: '"pods/log" grants get pods/log', as: 'jane', request: req('get', 'pods/log', { ns: 'a', name: 'p' }), allowed: true },
      {
        name: '"*/scale" grants the scale subresource of any resource',
        as: 'jane',
        request: req('update', 'deployments/scale', { ns: 'a', name: 'd', group: 'apps' }),
        allowed: true,
      },
      {
        name: '"*/scale" grants it for a custom resource too',
        as: 'jane',
        request: req('update', 'widgets/scale', { ns: 'a', group: 'example.com' }),
        allowed: true,
      },
      {
        name: '"*/scale" does not grant the parent resource',
        as: 'jane',
        request: req('update', 'deployments', { ns: 'a', group: 'apps' }),
        allowed: false,
      },
      {
        name: '"*/scale" does not grant another subresource',
        as: 'jane',
        request: req('update', 'deployments/status', { ns: 'a', group: 'apps' }),
        allowed: false,
      },
      {
        name: '"pods/*" is not a wildcard: it does not grant pods/exec',
        as: 'jane',
        request: req('patch', 'pods/exec', { ns: 'a' }),
        allowed: false,
      },
      { name: '"pods/*" does not grant pods either', as: 'jane', request: req('patch', 'pods', { ns: 'a' }), allowed: false },
      {
        name: '"*/*" does not grant an arbitrary subresource',
        as: 'jane',
        request: req('delete', 'pods/eviction', { ns: 'a' }),
        allowed: false,
      },
      {
        name: 'resource names are case-sensitive ("Services" is not "services")',
        as: 'jane',
        request: req('list', 'services', { ns: 'a' }),
        allowed: false,
      },
      { name: 'resources * matches every resource', as: 'sam', request: req('watch', 'secrets', { ns: 'a' }), allowed: true },
      { name: 'resources * matches every subresource as well', as: 'sam', request: req('watch', 'pods/exec', { ns: 'a' }), allowed: true },
    ],
  },
  {
    name: 'resourceNames',
    objects: [
      role('a', 'r', [
        rule(['get', 'update', 'list', 'create'], ['configmaps'], [''], { resourceNames: ['app-config', 'other'] }),
        rule(['get'], ['secrets']),
      ]),
      roleBinding('a', 'b', ['Role', 'r'], [user('jane')]),
    ],
    cases: [
      { name: 'a listed name is allowed', as: 'jane', request: req('get', 'configmaps', { ns: 'a', name: 'app-config' }), allowed: true },
      {
        name: 'another listed name is allowed',
        as: 'jane',
        request: req('update', 'configmaps', { ns: 'a', name: 'other' }),
        allowed: true,
      },
      {
        name: 'an unlisted name is denied',
        as: 'jane',
        request: req('get', 'configmaps', { ns: 'a', name: 'secret-config' }),
        allowed: false,
      },
      {
        name: 'a request without a name (list) is denied by a named rule',
        as: 'jane',
        request: req('list', 'configmaps', { ns: 'a' }),
        allowed: false,
      },
      {
        name: 'create carries no name, so resourceNames cannot allow it',
        as: 'jane',
        request: req('create', 'configmaps', { ns: 'a' }),
        allowed: false,
      },
      {
        name: 'names are exact (no prefix matching)',
        as: 'jane',
        request: req('get', 'configmaps', { ns: 'a', name: 'app-config-2' }),
        allowed: false,
      },
      {
        name: 'no resourceNames allows any name',
        as: 'jane',
        request: req('get', 'secrets', { ns: 'a', name: 'anything' }),
        allowed: true,
      },
      { name: 'no resourceNames allows no name as well', as: 'jane', request: req('get', 'secrets', { ns: 'a' }), allowed: true },
    ],
  },
  {
    name: 'non-resource URLs',
    objects: [
      clusterRole('urls', [urlRule(['get'], ['/healthz', '/healthz/*', '/api*', '/metrics**']), urlRule(['post'], ['/logs/'])]),
      clusterRole('all-urls', [urlRule(['get'], ['*'])]),
      clusterRole('url-and-pods', [{ verbs: ['get'], nonResourceURLs: ['/version'] }]),
      clusterRoleBinding('b', ['ClusterRole', 'urls'], [user('jane')]),
      clusterRoleBinding('all', ['ClusterRole', 'all-urls'], [user('sam')]),
      roleBinding('a', 'ns-urls', ['ClusterRole', 'url-and-pods'], [user('nina')]),
    ],
    cases: [
      { name: 'an exact path is allowed', as: 'jane', request: url('get', '/healthz'), allowed: true },
      { name: 'an exact entry does not cover sub-paths', as: 'jane', request: url('get', '/livez'), allowed: false },
      { name: 'a trailing * allows sub-paths', as: 'jane', request: url('get', '/healthz/etcd'), allowed: true },
      { name: 'a trailing * allows the bare prefix with its slash', as: 'jane', request: url('get', '/healthz/'), allowed: true },
      { name: 'the prefix is plain text: "/api*" also allows /apis/apps', as: 'jane', request: url('get', '/apis/apps'), allowed: true },
      {
        name: 'every trailing * is dropped: "/metrics**" allows /metrics/cadvisor',
        as: 'jane',
        request: url('get', '/metrics/cadvisor'),
        allowed: true,
      },
      { name: 'the verb must match (post on a get-only path)', as: 'jane', request: url('post', '/healthz'), allowed: false },
      { name: 'post on its own path is allowed', as: 'jane', request: url('post', '/logs/'), allowed: true },
      { name: '"*" allows every path', as: 'sam', request: url('get', '/debug/pprof/profile'), allowed: true },
      { name: 'a URL rule grants no resource request', as: 'sam', request: req('get', 'pods', { ns: 'a' }), allowed: false },
      { name: 'a RoleBinding never grants non-resource URLs', as: 'nina', request: url('get', '/version'), allowed: false },
    ],
  },
  {
    name: 'RoleBinding and ClusterRoleBinding scope',
    objects: [
      role('dev', 'pod-reader', [rule(['get', 'list'], ['pods'])]),
      clusterRole('node-and-pod-reader', [rule(['get', 'list'], ['pods', 'nodes', 'namespaces'])]),
      roleBinding('dev', 'rb-role', ['Role', 'pod-reader'], [user('rita')]),
      roleBinding('dev', 'rb-cluster-role', ['ClusterRole', 'node-and-pod-reader'], [user('carl')]),
      clusterRoleBinding('crb', ['ClusterRole', 'node-and-pod-reader'], [user('olga')]),
      clusterRoleBinding('crb-to-role', ['Role', 'pod-reader'], [user('zed')]),
      roleBinding('prod', 'rb-other-ns-role', ['Role', 'pod-reader'], [user('petra')]),
    ],
    cases: [
      {
        name: 'RoleBinding → Role grants in the binding namespace',
        as: 'rita',
        request: req('get', 'pods', { ns: 'dev', name: 'p' }),
        allowed: true,
        via: ['RoleBinding/rb-role'],
      },
      {
        name: 'RoleBinding → Role grants nothing in another namespace',
        as: 'rita',
        request: req('get', 'pods', { ns: 'prod', name: 'p' }),
        allowed: false,
      },
      { name: 'RoleBinding → Role grants nothing cluster-wide (all namespaces)', as: 'rita', request: req('list', 'pods'), allowed: false },
      {
        name: 'RoleBinding → ClusterRole grants in the binding namespace',
        as: 'carl',
        request: req('list', 'pods', { ns: 'dev' }),
        allowed: true,
        via: ['RoleBinding/rb-cluster-role'],
      },
      {
        name: 'RoleBinding → ClusterRole grants nothing in other namespaces',
        as: 'carl',
        request: req('list', 'pods', { ns: 'prod' }),
        allowed: false,
      },
      { name: 'RoleBinding → ClusterRole grants nothing cluster-wide', as: 'carl', request: req('list', 'pods'), allowed: false },
      {
        name: 'RoleBinding → ClusterRole cannot grant cluster-scoped nodes',
        as: 'carl',
        request: req('get', 'nodes', { name: 'n1' }),
        allowed: false,
      },
      {
        name: 'a namespace request carries its own name as namespace, so a RoleBinding there grants it',
        as: 'carl',
        request: req('get', 'namespaces', { ns: 'dev', name: 'dev' }),
        allowed: true,
      },
      {
        name: 'ClusterRoleBinding → ClusterRole grants in every namespace',
        as: 'olga',
        request: req('get', 'pods', { ns: 'anywhere', name: 'p' }),
        allowed: true,
        via: ['ClusterRoleBinding/crb'],
      },
      { name: 'ClusterRoleBinding → ClusterRole grants across all namespaces', as: 'olga', request: req('list', 'pods'), allowed: true },
      {
        name: 'ClusterRoleBinding → ClusterRole grants cluster-scoped resources',
        as: 'olga',
        request: req('get', 'nodes', { name: 'n1' }),
        allowed: true,
      },
      {
        name: 'a ClusterRoleBinding to a Role grants nothing',
        as: 'zed',
        request: req('get', 'pods', { ns: 'dev', name: 'p' }),
        allowed: false,
      },
      {
        name: 'a RoleBinding cannot reach a Role of another namespace',
        as: 'petra',
        request: req('get', 'pods', { ns: 'dev', name: 'p' }),
        allowed: false,
      },
      {
        name: 'nor its own namespace when the Role is missing there',
        as: 'petra',
        request: req('get', 'pods', { ns: 'prod', name: 'p' }),
        allowed: false,
      },
    ],
  },
  {
    name: 'subjects',
    objects: [
      clusterRole('reader', [rule(['get'], ['configmaps'])]),
      roleBinding('dev', 'users', ['ClusterRole', 'reader'], [user('Jane'), group('team-a')]),
      roleBinding('dev', 'sa-local', ['ClusterRole', 'reader'], [serviceAccount('builder')]),
      roleBinding('dev', 'sa-remote', ['ClusterRole', 'reader'], [serviceAccount('deployer', 'ci')]),
      clusterRoleBinding('crb-sa-no-ns', ['ClusterRole', 'reader'], [serviceAccount('ghost')]),
      clusterRoleBinding('crb-sa', ['ClusterRole', 'reader'], [serviceAccount('monitor', 'ops')]),
      roleBinding('dev', 'user-named-sa', ['ClusterRole', 'reader'], [user('system:serviceaccount:tools:runner')]),
      roleBinding('dev', 'odd-kind', ['ClusterRole', 'reader'], [{ kind: 'Robot', name: 'r2' }]),
    ],
    cases: [
      {
        name: 'a User subject matches its exact name',
        as: 'Jane',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: true,
      },
      { name: 'user names are case-sensitive', as: 'jane', request: req('get', 'configmaps', { ns: 'dev', name: 'c' }), allowed: false },
      {
        name: 'a Group subject matches a member',
        as: 'tom',
        groups: ['team-a'],
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: true,
      },
      {
        name: 'a RoleBinding service account without namespace is in the binding namespace',
        as: 'system:serviceaccount:dev:builder',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: true,
        via: ['RoleBinding/sa-local'],
      },
      {
        name: 'a same-named service account of another namespace does not match',
        as: 'system:serviceaccount:prod:builder',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: false,
      },
      {
        name: 'a RoleBinding can name a service account of another namespace',
        as: 'system:serviceaccount:ci:deployer',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: true,
        via: ['RoleBinding/sa-remote'],
      },
      {
        name: 'a ClusterRoleBinding service account without namespace matches nobody',
        as: 'system:serviceaccount:default:ghost',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: false,
      },
      {
        name: 'a ClusterRoleBinding service account with namespace matches everywhere',
        as: 'system:serviceaccount:ops:monitor',
        request: req('get', 'configmaps', { ns: 'x', name: 'c' }),
        allowed: true,
      },
      {
        name: 'a User subject with a service-account user name matches that service account',
        as: 'system:serviceaccount:tools:runner',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: true,
        via: ['RoleBinding/user-named-sa'],
      },
      {
        name: 'an unknown subject kind matches nobody',
        as: 'r2',
        request: req('get', 'configmaps', { ns: 'dev', name: 'c' }),
        allowed: false,
      },
    ],
  },
  {
    name: 'implicit groups',
    objects: [
      clusterRole('authenticated', [rule(['get'], ['configmaps'])]),
      clusterRole('unauthenticated', [urlRule(['get'], ['/version'])]),
      clusterRole('all-sas', [rule(['list'], ['services'])]),
      clusterRole('dev-sas', [rule(['list'], ['endpoints'])]),
      clusterRoleBinding('authenticated', ['ClusterRole', 'authenticated'], [group('system:authenticated')]),
      clusterRoleBinding('unauthenticated', ['ClusterRole', 'unauthenticated'], [group('system:unauthenticated')]),
      clusterRoleBinding('all-sas', ['ClusterRole', 'all-sas'], [group('system:serviceaccounts')]),
      roleBinding('shared', 'dev-sas', ['ClusterRole', 'dev-sas'], [group('system:serviceaccounts:dev')]),
    ],
    cases: [
      {
        name: 'every authenticated user is in system:authenticated',
        as: 'jane',
        request: req('get', 'configmaps', { ns: 'a', name: 'c' }),
        allowed: true,
        via: ['ClusterRoleBinding/authenticated'],
      },
      {
        name: 'a service account is in system:authenticated too',
        as: 'system:serviceaccount:dev:api',
        request: req('get', 'configmaps', { ns: 'a', name: 'c' }),
        allowed: true,
      },
      {
        name: 'system:anonymous is not in system:authenticated',
        as: 'system:anonymous',
        request: req('get', 'configmaps', { ns: 'a', name: 'c' }),
        allowed: false,
      },
      {
        name: 'system:anonymous is in system:unauthenticated',
        as: 'system:anonymous',
        request: url('get', '/version'),
        allowed: true,
        via: ['ClusterRoleBinding/unauthenticated'],
      },
      { name: 'an authenticated user is not in system:unauthenticated', as: 'jane', request: url('get', '/version'), allowed: false },
      {
        name: 'a user already in system:unauthenticated does not also get system:authenticated',
        as: 'proxy',
        groups: ['system:unauthenticated'],
        request: req('get', 'configmaps', { ns: 'a', name: 'c' }),
        allowed: false,
      },
      {
        name: 'every service account is in system:serviceaccounts',
        as: 'system:serviceaccount:prod:web',
        request: req('list', 'services', { ns: 'a' }),
        allowed: true,
      },
      { name: 'a user is not in system:serviceaccounts', as: 'jane', request: req('list', 'services', { ns: 'a' }), allowed: false },
      {
        name: 'an SA is in system:serviceaccounts:<its namespace>',
        as: 'system:serviceaccount:dev:web',
        request: req('list', 'endpoints', { ns: 'shared' }),
        allowed: true,
        via: ['RoleBinding/dev-sas'],
      },
      {
        name: 'an SA of another namespace is not in that group',
        as: 'system:serviceaccount:prod:web',
        request: req('list', 'endpoints', { ns: 'shared' }),
        allowed: false,
      },
      {
        name: 'a malformed SA user name gets no service-account groups',
        as: 'system:serviceaccount:dev',
        request: req('list', 'services', { ns: 'a' }),
        allowed: false,
      },
      {
        name: 'implicit groups are added even when groups are given',
        as: 'system:serviceaccount:dev:web',
        groups: ['extra'],
        request: req('list', 'endpoints', { ns: 'shared' }),
        allowed: true,
      },
      {
        name: 'without implicit groups (raw), the same SA is denied',
        as: 'system:serviceaccount:dev:web',
        groups: [],
        rawGroups: true,
        request: req('list', 'endpoints', { ns: 'shared' }),
        allowed: false,
      },
    ],
  },
  {
    name: 'system:masters and cluster-admin',
    objects: [clusterRoleBinding('admins', ['ClusterRole', 'cluster-admin'], [group('platform-admins')])],
    cases: [
      {
        name: 'system:masters is allowed everything without any binding',
        as: 'root',
        groups: ['system:masters'],
        request: req('delete', 'nodes', { name: 'n1' }),
        allowed: true,
      },
      {
        name: 'cluster-admin is known even when the input does not define it',
        as: 'ann',
        groups: ['platform-admins'],
        request: req('create', 'clusterrolebindings', { group: 'rbac.authorization.k8s.io' }),
        allowed: true,
        via: ['ClusterRoleBinding/admins'],
      },
      {
        name: 'built-in cluster-admin includes every non-resource URL',
        as: 'ann',
        groups: ['platform-admins'],
        request: url('get', '/debug/pprof/'),
        allowed: true,
      },
    ],
  },
  {
    name: 'aggregation',
    objects: [
      aggregatedClusterRole(
        'monitoring',
        [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
        [rule(['delete'], ['pods'])],
      ),
      clusterRole('monitoring-endpoints', [rule(['get', 'list', 'watch'], ['endpoints'])], {
        labels: { 'rbac.example.com/aggregate-to-monitoring': 'true' },
      }),
      clusterRole('unrelated', [rule(['list'], ['secrets'])], { labels: { 'rbac.example.com/aggregate-to-monitoring': 'false' } }),
      aggregatedClusterRole('super', [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['top'] }] }]),
      aggregatedClusterRole('monitoring-plus', [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }], [], {
        labels: { tier: 'top' },
      }),
      role('dev', 'labelled-role', [rule(['get'], ['secrets'])], { labels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }),
      aggregatedClusterRole('everything', [{}]),
      clusterRoleBinding('monitoring', ['ClusterRole', 'monitoring'], [user('mon')]),
      clusterRoleBinding('super', ['ClusterRole', 'super'], [user('sup')]),
      clusterRoleBinding('everything', ['ClusterRole', 'everything'], [user('eve')]),
    ],
    cases: [
      {
        name: 'an aggregated role grants the rules of the ClusterRoles its selector matches',
        as: 'mon',
        request: req('watch', 'endpoints', { ns: 'a' }),
        allowed: true,
        via: ['ClusterRoleBinding/monitoring'],
      },
      {
        name: 'a ClusterRole whose label value differs is not aggregated',
        as: 'mon',
        request: req('list', 'secrets', { ns: 'a' }),
        allowed: false,
      },
      {
        name: 'the aggregated role’s own rules are replaced by the controller',
        as: 'mon',
        request: req('delete', 'pods', { ns: 'a', name: 'p' }),
        allowed: false,
      },
      {
        name: 'a Role with the label is never aggregated (only ClusterRoles are)',
        as: 'mon',
        request: req('get', 'secrets', { ns: 'dev', name: 's' }),
        allowed: false,
      },
      {
        name: 'aggregation nests (super ← monitoring-plus ← monitoring-endpoints), with matchExpressions',
        as: 'sup',
        request: req('get', 'endpoints', { ns: 'a', name: 'e' }),
        allowed: true,
      },
      { name: 'an empty selector aggregates every ClusterRole', as: 'eve', request: req('list', 'secrets', { ns: 'a' }), allowed: true },
    ],
  },
  {
    name: 'every grant is listed',
    objects: [
      clusterRole('a', [rule(['get'], ['pods'])]),
      role('dev', 'b', [rule(['get', 'list'], ['pods']), rule(['*'], ['*'], ['*'])]),
      clusterRoleBinding('crb', ['ClusterRole', 'a'], [user('jane')]),
      roleBinding('dev', 'rb', ['Role', 'b'], [group('devs'), user('jane')]),
      roleBinding('dev', 'missing', ['Role', 'nope'], [user('jane')]),
    ],
    cases: [
      {
        name: 'grants from a ClusterRoleBinding and a RoleBinding are both listed',
        as: 'jane',
        request: req('get', 'pods', { ns: 'dev', name: 'p' }),
        allowed: true,
        via: ['ClusterRoleBinding/crb', 'RoleBinding/rb'],
      },
      {
        name: 'only the bindings that apply in the namespace are listed',
        as: 'jane',
        request: req('get', 'pods', { ns: 'prod', name: 'p' }),
        allowed: true,
        via: ['ClusterRoleBinding/crb'],
      },
    ],
  },
];

function userOf(c: Case): UserInfo {
  return c.rawGroups === true ? { name: c.as, groups: c.groups ?? [] } : authenticatedUser(c.as, c.groups ?? []);
}

function bindingsOf(grants: readonly Grant[]): string[] {
  return [...new Set(grants.flatMap((g) => (g.via === 'rbac' ? [`${g.binding.kind}/${g.binding.name}`] : [])))];
}

describe('RBAC authorizer', () => {
  it('has at least 60 cases', () => {
    expect(scenarios.reduce((n, s) => n + s.cases.length, 0)).toBeGreaterThanOrEqual(60);
  });

  for (const scenario of scenarios) {
    describe(scenario.name, () => {
      const index = indexOf(scenario.objects);
      it.each(scenario.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const result = index.can(userOf(c), c.request);
        expect(result.allowed).toBe(c.allowed);
        if (c.via !== undefined) expect(bindingsOf(result.grants)).toEqual(c.via);
        // whoCan must agree with can: a subject that can is listed for the same request, and vice versa.
        const listed = index.whoCan(c.request).some((entry) => {
          const s = entry.subject;
          const u = userOf(c);
          if (s.kind === 'User') return s.name === u.name;
          if (s.kind === 'Group') return u.groups.includes(s.name) && (s.name !== 'system:masters' || index.options.privilegedGroup);
          return `system:serviceaccount:${s.namespace ?? ''}:${s.name}` === u.name;
        });
        expect(listed).toBe(c.allowed);
      });
    });
  }
});

describe('grant paths', () => {
  it('name the binding, the subject that matched, the role and the rule', () => {
    const index = indexOf(scenarios.find((s) => s.name === 'every grant is listed')?.objects ?? []);
    const result = index.can(authenticatedUser('jane', ['devs']), req('list', 'pods', { ns: 'dev' }));
    expect(
      result.grants.map((g) => (g.via === 'rbac' ? [g.binding.name, g.subject?.kind, g.subject?.name, g.role.name, g.rule.index] : [])),
    ).toEqual([
      ['rb', 'Group', 'devs', 'b', 0],
      ['rb', 'Group', 'devs', 'b', 1],
    ]);
  });

  it('report bindings whose role is missing as unresolved', () => {
    const index = indexOf(scenarios.find((s) => s.name === 'every grant is listed')?.objects ?? []);
    const result = index.can(authenticatedUser('jane'), req('get', 'secrets', { ns: 'dev', name: 's' }));
    expect(result.unresolved.map((u) => [u.binding.name, u.reason])).toEqual([['missing', 'Role dev/nope does not exist']]);
    expect(result.grants.map((g) => (g.via === 'rbac' ? g.binding.name : g.via))).toEqual(['rb']);
  });

  it('say which ClusterRole an aggregated rule came from', () => {
    const index = indexOf(scenarios.find((s) => s.name === 'aggregation')?.objects ?? []);
    const [grant] = index.can(authenticatedUser('sup'), req('get', 'endpoints', { ns: 'a', name: 'e' })).grants;
    expect(grant?.via === 'rbac' && [grant.role.name, grant.rule.source.name, grant.rule.sourceIndex]).toEqual([
      'super',
      'monitoring-endpoints',
      0,
    ]);
  });

  it('can turn off the system:masters bypass and the built-in cluster-admin', () => {
    const index = indexOf(scenarios.find((s) => s.name === 'system:masters and cluster-admin')?.objects ?? [], {
      privilegedGroup: false,
      builtinClusterAdmin: false,
    });
    expect(index.can(authenticatedUser('root', ['system:masters']), req('delete', 'nodes', { name: 'n1' })).allowed).toBe(false);
    const result = index.can(authenticatedUser('ann', ['platform-admins']), req('get', 'pods', { ns: 'a' }));
    expect(result.allowed).toBe(false);
    expect(result.unresolved.map((u) => u.reason)).toEqual(['ClusterRole cluster-admin does not exist']);
  });
});
