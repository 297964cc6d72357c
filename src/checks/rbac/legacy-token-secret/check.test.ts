import { describe, expect, it } from 'vitest';

import { object } from '../../test-support/check-harness.js';
import { findingsOf } from '../../test-support/check-harness.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

const secret = (name: string, type: string, annotations: Record<string, string> = {}, data: Record<string, string> = {}) =>
  object('v1', 'Secret', name, { type, data }, { namespace: 'ci', annotations });

describe('rbac/legacy-token-secret', () => {
  runFindingCases(check, [
    {
      name: 'a service-account token Secret',
      objects: [secret('deployer-token', 'kubernetes.io/service-account-token', { 'kubernetes.io/service-account.name': 'deployer' })],
      expected: [
        {
          on: 'Secret/deployer-token',
          pointer: '/type',
          severity: 'medium',
          message: /^Secret "deployer-token" is a long-lived token of ServiceAccount ci\/deployer/,
        },
      ],
    },
    {
      name: 'without the annotation',
      objects: [secret('t', 'kubernetes.io/service-account-token')],
      expected: [{ on: 'Secret/t', pointer: '/type', severity: 'medium', message: /\(not annotated\)/ }],
    },
    {
      name: 'other Secret types',
      objects: [secret('a', 'Opaque'), secret('b', 'kubernetes.io/tls'), secret('c', 'kubernetes.io/dockerconfigjson')],
      expected: [],
    },
  ]);

  it('never echoes the token', () => {
    const token = 'ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkluTmxZM0psZENKOS5zZWNyZXQ=';
    const [finding] = findingsOf(check, [secret('t', 'kubernetes.io/service-account-token', {}, { token })]);
    expect(JSON.stringify(finding)).not.toContain(token);
  });
});
