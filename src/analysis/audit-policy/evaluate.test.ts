import { describe, expect, it } from 'vitest';

import { PolicyChecker } from './evaluate.js';
import { parsePolicy } from './parse.js';
import type { RequestAttributes } from './types.js';

function checker(yaml: string): PolicyChecker {
  const parsed = parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${yaml}`);
  expect(parsed.problems.filter((p) => p.level === 'error')).toEqual([]);
  if (parsed.policy === undefined) throw new Error('policy did not load');
  return new PolicyChecker(parsed.policy);
}

const base: RequestAttributes = {
  user: { name: 'alice', groups: ['dev', 'system:authenticated'] },
  verb: 'get',
  namespace: 'shop',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  name: 'web-0',
  path: '/api/v1/namespaces/shop/pods/web-0',
  isResourceRequest: true,
};
const nonResource = (path: string): RequestAttributes => ({
  ...base,
  namespace: '',
  resource: '',
  name: '',
  path,
  isResourceRequest: false,
});

// Behaviour that comes from the implementation rather than the upstream tests (SEMANTICS.md §4, marked (impl)).
describe('policy checker edges', () => {
  it.each([
    ['pods/* matches the bare resource', 'rules:\n- level: Request\n  resources: [{resources: ["pods/*"]}]\n', base, 'Request'],
    [
      'pods/* matches a subresource',
      'rules:\n- level: Request\n  resources: [{resources: ["pods/*"]}]\n',
      { ...base, subresource: 'exec' },
      'Request',
    ],
    [
      'pods does not match pods/log',
      'rules:\n- level: Request\n  resources: [{resources: ["pods"]}]\n',
      { ...base, subresource: 'log' },
      'None',
    ],
    ['*/exec needs a subresource', 'rules:\n- level: Request\n  resources: [{resources: ["*/exec"]}]\n', base, 'None'],
    [
      '*/exec matches any resource exec',
      'rules:\n- level: Request\n  resources: [{resources: ["*/exec"]}]\n',
      { ...base, subresource: 'exec' },
      'Request',
    ],
    ['a literal * in users is no wildcard', 'rules:\n- level: Request\n  users: ["*"]\n', base, 'None'],
    ['a literal * in verbs is no wildcard', 'rules:\n- level: Request\n  verbs: ["*"]\n', base, 'None'],
    ['"" namespace selects cluster-scoped', 'rules:\n- level: Request\n  namespaces: [""]\n', { ...base, namespace: '' }, 'Request'],
    ['namespaces never match non-resource requests', 'rules:\n- level: Request\n  namespaces: [""]\n', nonResource('/healthz'), 'None'],
    ['/logs* is a string prefix', 'rules:\n- level: Request\n  nonResourceURLs: ["/logs*"]\n', nonResource('/logsfoo'), 'Request'],
    ['/logs* matches /logs', 'rules:\n- level: Request\n  nonResourceURLs: ["/logs*"]\n', nonResource('/logs'), 'Request'],
    ['nonResourceURLs never match resource requests', 'rules:\n- level: Request\n  nonResourceURLs: ["*"]\n', base, 'None'],
    ['resourceNames narrow *', 'rules:\n- level: Request\n  resources: [{resources: ["*"], resourceNames: ["db-0"]}]\n', base, 'None'],
    [
      'group * matches any group',
      'rules:\n- level: Request\n  resources: [{group: "*"}]\n',
      { ...base, apiGroup: 'apps', resource: 'deployments' },
      'Request',
    ],
    [
      'core group does not match apps',
      'rules:\n- level: Request\n  resources: [{group: ""}]\n',
      { ...base, apiGroup: 'apps', resource: 'deployments' },
      'None',
    ],
    [
      'no user: userGroups never match',
      'rules:\n- level: Request\n  userGroups: ["system:unauthenticated"]\n- level: Metadata\n',
      { ...base, user: undefined },
      'Metadata',
    ],
    ['matching is case-sensitive', 'rules:\n- level: Request\n  verbs: ["GET"]\n', base, 'None'],
  ] as const)('%s', (_name, yaml, request, level) => {
    const { user, ...rest } = request as RequestAttributes;
    const attributes: RequestAttributes = user === undefined ? rest : { ...rest, user };
    expect(checker(yaml).evaluate(attributes).level).toBe(level);
  });

  it('first matching rule decides, and reports its index', () => {
    const c = checker(
      'rules:\n- level: None\n  users: [bob]\n- level: RequestResponse\n  resources: [{resources: [secrets]}]\n- level: Metadata\n',
    );
    expect(c.evaluate(base)).toMatchObject({ level: 'Metadata', rule: 2 });
    expect(c.evaluate({ ...base, resource: 'secrets' })).toMatchObject({ level: 'RequestResponse', rule: 1 });
    expect(c.evaluate({ ...base, user: { name: 'bob', groups: [] }, resource: 'secrets' })).toMatchObject({ level: 'None', rule: 0 });
  });

  it('omitManagedFields: a rule value wins over the policy default', () => {
    const c = checker('omitManagedFields: true\nrules:\n- level: Request\n  verbs: [get]\n  omitManagedFields: false\n- level: Request\n');
    expect(c.evaluate(base).omitManagedFields).toBe(false);
    expect(c.evaluate({ ...base, verb: 'list' }).omitManagedFields).toBe(true);
  });
});

describe('policy parsing', () => {
  it('reports unknown fields as warnings with their line, and still loads', () => {
    const parsed = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  verb: [get]\n');
    expect(parsed.policy).toBeDefined();
    expect(parsed.problems).toEqual([expect.objectContaining({ level: 'warning', pointer: '/rules/0/verb', line: 5 })]);
  });

  it('rejects a wrong type, an old apiVersion and a bad level with lines', () => {
    expect(parsePolicy('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n').policy).toBeUndefined();
    const bad = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n- level: None\n  users: bob\n');
    expect(bad.policy).toBeUndefined();
    expect(bad.problems.map((p) => [p.pointer, p.line])).toEqual([
      ['/rules/1/users', 6],
      ['/rules/0/level', 4],
    ]);
  });

  it('gives the line of every rule', () => {
    expect(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n- level: Metadata\n').ruleLines).toEqual([4, 5]);
  });
});
