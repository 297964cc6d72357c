import { networkModelOf } from '../../../analysis/netpol/index.js';
import type { InventoryObject } from '../../../inventory/inventory.js';
import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { podTemplateOf } from '../../../k8s/pod-templates.js';
import { defineCheck } from '../../define-check.js';

/**
 * Network plugins (or add-ons) that enforce NetworkPolicy, recognised by DaemonSet name or image.
 * Canal is Flannel plus Calico's policy engine, so its calico/node image counts as an enforcer.
 */
const ENFORCERS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'Calico', pattern: /calico[-/]node|calico\/cni|\bcanal\b/ },
  { name: 'Cilium', pattern: /cilium/ },
  { name: 'Weave Net', pattern: /weave-npc|weave-kube|weave-net/ },
  { name: 'kube-router', pattern: /kube-router/ },
  { name: 'Antrea', pattern: /antrea/ },
  { name: 'Kube-OVN', pattern: /kube-ovn/ },
  { name: 'OVN-Kubernetes', pattern: /ovnkube|ovn-kubernetes/ },
  { name: 'Azure Network Policy Manager', pattern: /azure-npm/ },
  { name: 'AWS network policy agent', pattern: /aws-network-policy-agent/ },
  { name: 'GKE Dataplane V2', pattern: /^anetd$|\/anetd\b/ },
  { name: 'Romana', pattern: /romana/ },
];
/** ConfigMaps the plugins install (name → plugin). */
const CONFIG_MAPS: Readonly<Record<string, string>> = {
  'kube-flannel-cfg': 'flannel',
  'canal-config': 'Calico',
  'calico-config': 'Calico',
  'cilium-config': 'Cilium',
  'antrea-config': 'Antrea',
};

function imagesOf(entry: InventoryObject): string[] {
  const spec = podTemplateOf(entry.object)?.spec;
  return [...arrayOrEmpty(spec?.containers), ...arrayOrEmpty(spec?.initContainers)]
    .filter(isRecord)
    .map((c) => (typeof c.image === 'string' ? c.image : ''));
}

export default defineCheck({
  id: 'network/cni-not-enforcing',
  target: 'Cluster',
  reads: ['networking.k8s.io/NetworkPolicy', 'apps/DaemonSet', 'ConfigMap'],
  meta: {
    title: 'NetworkPolicies exist but the network plugin does not enforce them',
    area: 'network',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.3.1'], nsa: ['Network separation and hardening'] },
    description:
      'Kubernetes stores NetworkPolicies but does not enforce them; the network plugin does. Flannel alone implements no policy, so every policy is silently ignored and all traffic flows, while the policies suggest the cluster is segmented.',
    remediation:
      'Run a plugin that enforces NetworkPolicy: Calico alongside Flannel (Canal), or replace Flannel with Calico, Cilium or another enforcing plugin.',
  },
  messages: {
    flannelOnly:
      'The network plugin is Flannel ({{evidence}}) and nothing in the input enforces NetworkPolicy (no Calico/Canal, Cilium, Weave Net, kube-router, Antrea, …): the {{count}} NetworkPolicy object(s) have no effect and all traffic is allowed.',
  },
  run({ inventory }, ctx) {
    const model = networkModelOf(inventory);
    const count = model.policies.length;
    if (count === 0) return;
    let flannel: { entry: InventoryObject; evidence: string } | undefined;
    for (const entry of inventory.ofKind('DaemonSet', { group: 'apps' })) {
      const haystack = [entry.ref.name, ...imagesOf(entry)].map((s) => s.toLowerCase());
      if (ENFORCERS.some((e) => haystack.some((s) => e.pattern.test(s)))) return;
      if (flannel === undefined && haystack.some((s) => s.includes('flannel'))) {
        flannel = { entry, evidence: `DaemonSet ${entry.ref.namespace ?? ''}/${entry.ref.name}` };
      }
    }
    for (const entry of inventory.ofKind('ConfigMap', { group: '' })) {
      const plugin = CONFIG_MAPS[entry.ref.name];
      if (plugin === undefined) continue;
      if (plugin !== 'flannel') return;
      flannel ??= { entry, evidence: `ConfigMap ${entry.ref.namespace ?? ''}/${entry.ref.name}` };
    }
    // The AWS VPC CNI enforces policies only when its policy controller is switched on.
    for (const entry of inventory.ofKind('ConfigMap', { group: '' })) {
      const data = isRecord(entry.object.data) ? entry.object.data : {};
      if (entry.ref.name === 'amazon-vpc-cni' && data['enable-network-policy-controller'] === 'true') return;
    }
    if (flannel === undefined) return;
    ctx.report({ messageId: 'flannelOnly', resource: flannel.entry, pointer: '', data: { evidence: flannel.evidence, count } });
  },
});
