import { describe, expect, it } from 'vitest';

import { findingsOf, runChecks } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

describe('control-plane/apiserver-anonymous-auth', () => {
  it.each([
    ['unset (defaults to true)', withFlags({ 'anonymous-auth': undefined }), 'spec.containers[0].command', 'defaults to true'],
    ['set to true', withFlags({ 'anonymous-auth': 'true' }), 'spec.containers[0].command[30]', '--anonymous-auth=true'],
  ])('reports anonymous auth %s', (_label, flags, path, text) => {
    const findings = findingsOf(check, [staticPod('kube-apiserver', flags)]);
    expect(findings.map((f) => f.location.path)).toEqual([path]);
    expect(findings[0]?.message).toContain(text);
  });

  it('passes --anonymous-auth=false, and structured authentication', () => {
    expect(findingsOf(check, [staticPod('kube-apiserver', withFlags({}))])).toEqual([]);
    expect(
      findingsOf(check, [
        staticPod('kube-apiserver', withFlags({ 'anonymous-auth': undefined, 'authentication-config': '/etc/k/authn.yaml' })),
      ]),
    ).toEqual([]);
  });

  it('judges only kube-apiserver pods', () => {
    const result = runChecks([check], [staticPod('kube-scheduler', [])], []);
    expect(result.findings).toEqual([]);
  });
});
