import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../../k8s/types.js';
import { findingsOf } from '../../test-support/check-harness.js';
import { netpol, workload } from '../test-support/objects.js';
import check from './check.js';

function daemonSet(id: string, ...images: string[]): KubeObject {
  return workload(
    'DaemonSet',
    id,
    { app: id.split('/')[1] as string },
    { hostNetwork: true, containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  );
}

function configMap(id: string, data: Record<string, string> = {}): KubeObject {
  const [namespace, name] = id.split('/') as [string, string];
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

const policy = netpol('shop/deny', { podSelector: {} });
const flannel = daemonSet('kube-flannel/kube-flannel-ds', 'docker.io/flannel/flannel:v0.25.5');

describe('network/cni-not-enforcing', () => {
  it.each([
    ['Flannel DaemonSet and a policy', [flannel, policy], ['DaemonSet kube-flannel/kube-flannel-ds']],
    ['Flannel ConfigMap only', [configMap('kube-system/kube-flannel-cfg'), policy], ['ConfigMap kube-system/kube-flannel-cfg']],
    ['Flannel plus Calico (calico-node)', [flannel, daemonSet('calico-system/calico-node', 'docker.io/calico/node:v3.28.0'), policy], []],
    ['Canal', [daemonSet('kube-system/canal', 'calico/node:v3.28.0', 'flannel/flannel:v0.25.5'), policy], []],
    ['Cilium by ConfigMap', [flannel, configMap('kube-system/cilium-config'), policy], []],
    [
      'AWS VPC CNI with its policy controller on',
      [flannel, configMap('kube-system/amazon-vpc-cni', { 'enable-network-policy-controller': 'true' }), policy],
      [],
    ],
    ['Flannel without policies', [flannel], []],
    ['no CNI in the input', [policy], []],
  ])('%s', (_name, objects, evidence) => {
    expect(findingsOf(check, objects).map((f) => /\(([^)]*)\)/.exec(f.message)?.[1])).toEqual(evidence);
  });
});
