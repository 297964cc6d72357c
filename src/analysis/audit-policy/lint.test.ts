import { describe, expect, it } from 'vitest';

import { PolicyCostAccumulator } from './cost.js';
import { policyCoverage } from './coverage.js';
import { lintPolicy, ruleCovers } from './lint.js';
import { parsePolicy } from './parse.js';
import type { AuditPolicy, RequestAttributes } from './types.js';

function policy(rules: string, head = ''): AuditPolicy {
  const parsed = parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${head}rules:\n${rules}`);
  if (parsed.policy === undefined) throw new Error(JSON.stringify(parsed.problems));
  return parsed.policy;
}

const ids = (p: AuditPolicy): string[] => lintPolicy(p).map((f) => `${f.id}${f.rule === undefined ? '' : `@${f.rule}`}`);

describe('lintPolicy', () => {
  it('is quiet on a careful policy', () => {
    const good = policy(
      `- level: Metadata
  resources: [{ group: "", resources: [secrets, configmaps, serviceaccounts/token] }, { group: authentication.k8s.io, resources: [tokenreviews] }]
- level: Request
  resources: [{ group: "", resources: [pods, pods/exec, pods/attach, pods/portforward] }, { group: rbac.authorization.k8s.io }]
- level: Metadata
`,
      'omitStages: [RequestReceived]\nomitManagedFields: true\n',
    );
    expect(lintPolicy(good)).toEqual([]);
  });

  it('finds secret bodies, blind spots, shadowed rules, literal wildcards and no catch-all', () => {
    const bad = policy(`- level: RequestResponse
  resources: [{ group: "", resources: [secrets] }]
- level: None
  resources: [{ group: "", resources: [pods/exec] }]
- level: Metadata
  resources: [{ group: "", resources: [secrets] }]
- level: Request
  verbs: ["*"]
`);
    expect(ids(bad)).toEqual(
      expect.arrayContaining([
        'sensitive-bodies-logged@0',
        'security-request-not-logged',
        'unreachable-rule@2',
        'literal-wildcard@3',
        'no-catch-all',
        'request-received-not-omitted',
      ]),
    );
  });

  it('says when a security request is skipped only for some users', () => {
    const p = policy(`- level: None
  users: [ci-bot]
  resources: [{ group: "", resources: [pods/exec] }]
- level: Metadata
`);
    const finding = lintPolicy(p).find((f) => f.id === 'security-request-not-logged');
    expect(finding?.severity).toBe('medium');
    expect(finding?.message).toContain('users ci-bot');
  });

  it.each([
    ['catch-all covers anything', '{level: Metadata}', '{level: Request, verbs: [get]}', true],
    [
      'pods/* covers pods/exec',
      '{level: None, resources: [{resources: ["pods/*"]}]}',
      '{level: Request, resources: [{resources: [pods/exec]}]}',
      true,
    ],
    [
      '*/exec covers pods/exec',
      '{level: None, resources: [{resources: ["*/exec"]}]}',
      '{level: Request, resources: [{resources: [pods/exec]}]}',
      true,
    ],
    [
      'pods does not cover pods/log',
      '{level: None, resources: [{resources: [pods]}]}',
      '{level: Request, resources: [{resources: [pods/log]}]}',
      false,
    ],
    ['user-restricted does not cover all', '{level: None, users: [a]}', '{level: Request}', false],
    ['groups subset', '{level: None, userGroups: [a, b]}', '{level: Request, userGroups: [b]}', true],
    ['URL prefix', '{level: None, nonResourceURLs: ["/logs*"]}', '{level: Request, nonResourceURLs: ["/logs/kubelet*"]}', true],
    ['resource rule does not cover catch-all', '{level: None, resources: [{group: "*"}]}', '{level: Request}', false],
    [
      'names narrow',
      '{level: None, resources: [{resources: [cm], resourceNames: [x]}]}',
      '{level: Request, resources: [{resources: [cm]}]}',
      false,
    ],
  ])('ruleCovers: %s', (_name, earlier, later, expected) => {
    const p = policy(`- ${earlier}\n- ${later}\n`);
    expect(ruleCovers(p.rules[0]!, p.rules[1]!)).toBe(expected);
  });
});

describe('policyCoverage', () => {
  const exec = {
    verbs: ['create', 'get'],
    resources: [{ group: '', resources: ['pods/exec'], resourceNames: [] }],
    nonResourceURLs: [],
    stages: ['ResponseStarted', 'ResponseComplete'] as const,
  };
  const privileged = {
    verbs: ['create'],
    resources: [{ group: '', resources: ['pods'], resourceNames: [] }],
    nonResourceURLs: [],
    stages: ['ResponseComplete'] as const,
  };
  const rules = [
    { id: 'exec', requires: 'Metadata' as const, steps: [exec] },
    { id: 'privileged', requires: 'Request' as const, steps: [privileged] },
  ];

  it('finds blind and partly blind rules', () => {
    const p = policy(`- level: None
  users: [admin]
- level: Metadata
`);
    expect(policyCoverage(p, rules).map((r) => [r.id, r.status])).toEqual([
      ['exec', 'partial'],
      ['privileged', 'blind'],
    ]);
  });

  it('a rule on exec is blind when every stage it reads is omitted', () => {
    const p = policy('- level: Request\n  omitStages: [ResponseStarted, ResponseComplete]\n');
    expect(policyCoverage(p, rules)[0]).toMatchObject({
      status: 'blind',
      gaps: [
        expect.stringContaining('create pods/exec: rules[0] omits ResponseStarted and ResponseComplete'),
        expect.stringContaining('get pods/exec'),
      ],
    });
  });

  it('covered when logged at the level needed', () => {
    expect(policyCoverage(policy('- level: Request\n'), rules).map((r) => r.status)).toEqual(['covered', 'covered']);
  });
});

describe('PolicyCostAccumulator', () => {
  const attrs = (resource: string, verb = 'get'): RequestAttributes => ({
    user: { name: 'alice', groups: [] },
    verb,
    namespace: 'default',
    apiGroup: '',
    resource,
    subresource: '',
    name: 'x',
    path: '/api',
    isResourceRequest: true,
  });

  it('projects events and bytes per level, dropping omitted stages and bodies a lower level would not log', () => {
    const cost = new PolicyCostAccumulator(
      policy(
        `- level: None
  resources: [{ resources: [leases] }]
- level: Metadata
  resources: [{ resources: [secrets] }]
- level: RequestResponse
`,
        'omitStages: [RequestReceived]\n',
      ),
    );
    cost.add({ attributes: attrs('leases'), stage: 'ResponseComplete', level: 'Metadata', bytes: 500, longRunning: false });
    cost.add({
      attributes: attrs('secrets', 'create'),
      stage: 'RequestReceived',
      level: 'Request',
      bytes: 800,
      requestBytes: 300,
      longRunning: false,
    });
    cost.add({
      attributes: attrs('secrets', 'create'),
      stage: 'ResponseComplete',
      level: 'Request',
      bytes: 900,
      requestBytes: 300,
      longRunning: false,
    });
    cost.add({
      attributes: attrs('pods', 'create'),
      stage: 'ResponseComplete',
      level: 'Request',
      bytes: 1000,
      requestBytes: 400,
      longRunning: false,
    });
    const r = cost.result();
    expect(r.logged).toMatchObject({ events: 4, bytes: 3200 });
    expect(r.projected.byLevel.None).toEqual({ requests: 1, events: 0, bytes: 0 });
    expect(r.projected.byLevel.Metadata).toEqual({ requests: 1, events: 1, bytes: 600 });
    // RequestResponse needs the response body the log does not have: counted as missing.
    expect(r.projected.byLevel.RequestResponse).toEqual({ requests: 1, events: 1, bytes: 1000 });
    expect(r.missingBodies).toBe(1);
    expect(r.estimatedStageEvents).toBe(0);
  });
});
