import { describe, expect, it } from 'vitest';

import { policyText } from './evaluate.js';
import { DEFAULT_CONFIGURATION, exemptionOf, podCreatorsOf, readPodSecurityConfiguration } from './admission-config.js';

const standalone = {
  apiVersion: 'pod-security.admission.config.k8s.io/v1',
  kind: 'PodSecurityConfiguration',
  defaults: { enforce: 'baseline', 'enforce-version': 'v1.30', audit: 'restricted', 'audit-version': '', warn: 'restricted' },
  exemptions: {
    usernames: ['system:serviceaccount:kube-system:replicaset-controller'],
    runtimeClasses: ['kata'],
    namespaces: ['kube-system'],
  },
};

describe('PodSecurityConfiguration', () => {
  it('reads a standalone configuration, empty values meaning privileged and latest', () => {
    const read = readPodSecurityConfiguration(standalone);
    expect(read.status).toBe('ok');
    if (read.status !== 'ok') return;
    const d = read.configuration.defaults;
    expect([policyText(d.enforce), policyText(d.audit), policyText(d.warn)]).toEqual([
      'baseline:v1.30',
      'restricted:latest',
      'restricted:latest',
    ]);
    expect(read.configuration.exemptions.namespaces).toEqual(['kube-system']);
  });

  it('reads one embedded in an AdmissionConfiguration, or points at its file', () => {
    const embedded = readPodSecurityConfiguration({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        { name: 'EventRateLimit', path: 'erl.yaml' },
        { name: 'PodSecurity', configuration: { ...standalone, apiVersion: 'pod-security.admission.config.k8s.io/v1beta1' } },
      ],
    });
    expect(embedded.status).toBe('ok');
    expect(embedded.status === 'ok' ? embedded.path : '').toBe('plugins[1].configuration');
    const byFile = readPodSecurityConfiguration({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [{ name: 'PodSecurity', path: '/etc/kubernetes/pss.yaml' }],
    });
    expect(byFile).toEqual({ status: 'file', file: '/etc/kubernetes/pss.yaml', path: 'plugins[0].path' });
    expect(readPodSecurityConfiguration({ apiVersion: 'v1', kind: 'ConfigMap' }).status).toBe('absent');
  });

  it('refuses an invalid configuration as a whole, naming every bad field', () => {
    const read = readPodSecurityConfiguration({
      ...standalone,
      defaults: { enforce: 'strict', 'warn-version': 'v1' },
      exemptions: { usernames: ['', 'a', 'a'], runtimeClasses: ['Bad_Name'], namespaces: ['kube-system', 'x'.repeat(64)] },
    });
    expect(read.status).toBe('invalid');
    expect(read.status === 'invalid' ? read.errors.map((e) => e.path) : []).toEqual([
      'defaults.enforce',
      'defaults.warn-version',
      'exemptions.usernames[0]',
      'exemptions.usernames[2]',
      'exemptions.runtimeClasses[0]',
      'exemptions.namespaces[1]',
    ]);
  });

  it('exempts by namespace, then user, then runtime class, by exact match', () => {
    const read = readPodSecurityConfiguration(standalone);
    const config = read.status === 'ok' ? read.configuration : DEFAULT_CONFIGURATION;
    expect(exemptionOf(config, { namespace: 'kube-system', runtimeClassName: 'kata' })).toBe('namespace');
    expect(exemptionOf(config, { namespace: 'shop', usernames: podCreatorsOf('apps/v1', 'Deployment') })).toBe('user');
    expect(exemptionOf(config, { namespace: 'shop', usernames: podCreatorsOf('apps/v1', 'StatefulSet') })).toBeUndefined();
    expect(exemptionOf(config, { namespace: 'shop', runtimeClassName: 'kata' })).toBe('runtimeClass');
    expect(exemptionOf(config, { namespace: 'Kube-System', runtimeClassName: 'Kata' })).toBeUndefined();
    expect(podCreatorsOf('v1', 'Pod')).toEqual([]);
  });
});
