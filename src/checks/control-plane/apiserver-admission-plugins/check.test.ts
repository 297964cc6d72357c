import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { staticPod, withFlags } from '../test-support/static-pods.js';
import check from './check.js';

const HARDENED_PLUGINS = 'NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs';

function messages(changes: Record<string, string | undefined>, options?: unknown): string[] {
  return findingsOf(check, [staticPod('kube-apiserver', withFlags(changes))], options).map(
    (f) => `${(f.frameworks.cis ?? []).join(',')} ${f.message}`,
  );
}

describe('control-plane/apiserver-admission-plugins', () => {
  it('passes the hardened set', () => {
    expect(messages({})).toEqual([]);
  });

  it('reports each required plugin that is missing, with its CIS control', () => {
    expect(messages({ 'enable-admission-plugins': undefined })).toEqual([
      expect.stringMatching(/^1\.2\.14 .*NodeRestriction/),
      expect.stringMatching(/^1\.2\.9 .*EventRateLimit/),
      expect.stringMatching(/^1\.2\.11 .*AlwaysPullImages/),
      expect.stringMatching(/^1\.2\.3 .*DenyServiceExternalIPs/),
    ]);
  });

  it('requires AlwaysPullImages and DenyServiceExternalIPs only on multi-tenant clusters', () => {
    expect(messages({ 'enable-admission-plugins': 'NodeRestriction,EventRateLimit' }, { multiTenant: false })).toEqual([]);
  });

  it('reports AlwaysAdmit and disabled essential plugins', () => {
    expect(messages({ 'enable-admission-plugins': `${HARDENED_PLUGINS},AlwaysAdmit` })).toEqual([
      expect.stringMatching(/^1\.2\.10 .*AlwaysAdmit/),
    ]);
    expect(messages({ 'disable-admission-plugins': 'NamespaceLifecycle,ServiceAccount,PodSecurity' })).toEqual([
      expect.stringMatching(/^1\.2\.13 .*disables the NamespaceLifecycle/),
      expect.stringMatching(/^1\.2\.12 .*disables the ServiceAccount/),
      expect.stringMatching(/^ .*disables the PodSecurity/),
    ]);
  });

  it('accepts the deprecated --admission-control spelling, and asks EventRateLimit for its configuration', () => {
    expect(messages({ 'enable-admission-plugins': undefined, 'admission-control': HARDENED_PLUGINS })).toEqual([]);
    expect(messages({ 'admission-control-config-file': undefined })).toEqual([
      expect.stringContaining('EventRateLimit without --admission-control-config-file'),
    ]);
  });
});
