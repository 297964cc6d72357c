import { describe, expect, it } from 'vitest';

import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import { readPodSecurityConfiguration, type PodSecurityConfiguration } from './admission-config.js';
import { policyText } from './evaluate.js';
import { analyzeNamespaces, exemptNamespaceWarning } from './namespaces.js';

type Json = Record<string, unknown>;

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const restrictedSpec = (extra: Json = {}): Json => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'a:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  ...extra,
});

const deployment = (name: string, namespace: string, spec: Json): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { template: { spec } },
});

const pod = (name: string, namespace: string, spec: Json): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec,
});

const plain = { containers: [{ name: 'app', image: 'a:1' }] };
const privileged = { containers: [{ name: 'app', image: 'a:1', securityContext: { privileged: true } }] };

function analyze(objects: KubeObject[], configuration?: PodSecurityConfiguration) {
  const { inventory } = Inventory.from(objects.map((object) => ({ object })));
  return analyzeNamespaces(inventory, configuration === undefined ? {} : { configuration });
}

describe('namespace analysis', () => {
  it('lists modes, violators per mode and the strictest level each namespace could enforce today', () => {
    const reports = analyze([
      ns('shop', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted' }),
      deployment('web', 'shop', plain),
      deployment('api', 'shop', restrictedSpec()),
      ns('tight'),
      deployment('ok', 'tight', restrictedSpec()),
      pod('debug', 'ops', privileged),
    ]);
    expect(reports.map((r) => [r.name, r.implied, policyText(r.strictestEnforceable)])).toEqual([
      ['ops', true, 'privileged:latest'],
      ['shop', false, 'baseline:latest'],
      ['tight', false, 'restricted:latest'],
    ]);
    const shop = reports.find((r) => r.name === 'shop');
    expect(shop?.modes.enforce.violators).toEqual([]);
    expect(shop?.modes.audit.violators.map((w) => w.owner.ref.name)).toEqual(['web']);
    expect(policyText(shop?.modes.warn.policy ?? { level: 'privileged', version: { text: '?', minor: 0 } })).toBe('baseline:latest');
    expect(shop?.modes.audit.dryRunWarnings).toEqual([
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      'deployment/web: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    ]);
  });

  it('groups dry-run warnings by reasons, naming the smallest pod and counting the others', () => {
    const reports = analyze([
      ns('a', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
      pod('p3', 'a', privileged),
      pod('p1', 'a', privileged),
      pod('p2', 'a', privileged),
      pod('solo', 'a', { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] }),
    ]);
    expect(reports[0]?.modes.enforce.dryRunWarnings).toEqual([
      'existing pods in namespace "a" violate the new PodSecurity enforce level "baseline:latest"',
      'p1 (and 2 other pods): privileged',
      'solo: host namespaces',
    ]);
  });

  it('applies exemptions: namespaces, controllers’ users and runtime classes', () => {
    const read = readPodSecurityConfiguration({
      apiVersion: 'pod-security.admission.config.k8s.io/v1',
      kind: 'PodSecurityConfiguration',
      defaults: { enforce: 'restricted' },
      exemptions: {
        namespaces: ['kube-system'],
        runtimeClasses: ['kata'],
        usernames: ['system:serviceaccount:kube-system:daemon-set-controller'],
      },
    });
    if (read.status !== 'ok') throw new Error('bad config');
    const reports = analyze(
      [
        ns('kube-system', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
        pod('proxy', 'kube-system', privileged),
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent', namespace: 'apps' },
          spec: { template: { spec: privileged } },
        },
        deployment('sandboxed', 'apps', { ...privileged, runtimeClassName: 'kata' }),
        deployment('web', 'apps', plain),
      ],
      read.configuration,
    );
    const apps = reports.find((r) => r.name === 'apps');
    expect(apps?.workloads.map((w) => [w.owner.ref.name, w.exemption])).toEqual([
      ['agent', 'user'],
      ['sandboxed', 'runtimeClass'],
      ['web', undefined],
    ]);
    expect(apps?.modes.enforce.violators.map((w) => w.owner.ref.name)).toEqual(['web']);
    expect(policyText(apps?.modes.enforce.policy ?? { level: 'privileged', version: { text: '?', minor: 0 } })).toBe('restricted:latest');
    const system = reports.find((r) => r.name === 'kube-system');
    expect(system?.exempt).toBe(true);
    expect(system?.modes.enforce.violators).toEqual([]);
    expect(system?.workloads[0]?.results.enforce.allowed).toBe(false);
    expect(system === undefined ? undefined : exemptNamespaceWarning(system)).toBe(
      'namespace "kube-system" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored',
    );
  });
});
