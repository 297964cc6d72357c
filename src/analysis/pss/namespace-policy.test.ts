import { describe, expect, it } from 'vitest';

import { policyText } from './evaluate.js';
import { formatLabelError, namespacePolicy, PRIVILEGED_DEFAULTS, type ModePolicies } from './namespace-policy.js';
import { LATEST, parsePolicyVersion } from './policy-version.js';

const texts = (labels: Record<string, string>, defaults?: ModePolicies) => {
  const p = namespacePolicy(labels, defaults);
  return { enforce: policyText(p.enforce), audit: policyText(p.audit), warn: policyText(p.warn) };
};

describe('namespace labels → policy, as the admission controller resolves them', () => {
  it('gives the defaults to a namespace with no labels', () => {
    expect(texts({})).toEqual({ enforce: 'privileged:latest', audit: 'privileged:latest', warn: 'privileged:latest' });
    expect(namespacePolicy({}).fullyPrivileged).toBe(true);
  });

  it('lets warn follow a stricter enforce level and its version, unless warn is labelled', () => {
    expect(texts({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30' })).toEqual({
      enforce: 'restricted:v1.30',
      audit: 'privileged:latest',
      warn: 'restricted:v1.30',
    });
    expect(
      texts({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.30',
        'pod-security.kubernetes.io/warn-version': 'v1.25',
      }).warn,
    ).toBe('restricted:v1.25');
    expect(texts({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'baseline' }).warn).toBe(
      'baseline:latest',
    );
  });

  it('fails closed on an invalid enforce level and open on invalid audit or warn levels; invalid versions mean latest', () => {
    const p = namespacePolicy({
      'pod-security.kubernetes.io/enforce': 'Restricted',
      'pod-security.kubernetes.io/audit': 'nope',
      'pod-security.kubernetes.io/warn-version': '1.25',
    });
    expect([policyText(p.enforce), policyText(p.audit), policyText(p.warn)]).toEqual([
      'restricted:latest',
      'privileged:latest',
      'privileged:latest',
    ]);
    expect(p.errors.map(formatLabelError)).toEqual([
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "nope": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"',
    ]);
    // An invalid enforce level does not drag warn along.
    expect(p.fullyPrivileged).toBe(false);
  });

  it('starts from configured defaults', () => {
    const defaults: ModePolicies = {
      ...PRIVILEGED_DEFAULTS,
      enforce: { level: 'baseline', version: parsePolicyVersion('v1.29') ?? LATEST },
    };
    expect(texts({}, defaults).enforce).toBe('baseline:v1.29');
    expect(texts({ 'pod-security.kubernetes.io/enforce-version': 'latest' }, defaults).enforce).toBe('baseline:latest');
    expect(namespacePolicy({ 'pod-security.kubernetes.io/audit': 'baseline' }).labelled).toEqual({
      enforce: false,
      audit: true,
      warn: false,
    });
  });
});
