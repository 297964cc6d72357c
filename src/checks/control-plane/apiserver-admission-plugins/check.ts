import { z } from 'zod';

import type { FrameworkRefs } from '../../../core/frameworks.js';
import { defineCheck } from '../../define-check.js';
import { flagValue, invocationFor, listFlag, CONTROL_PLANE_KINDS } from '../component-flags.js';

/**
 * Admission plugins kube-apiserver enables when --enable-admission-plugins does not name them
 * (`kube-apiserver -h`, Kubernetes 1.31).
 */
const DEFAULT_ON = new Set([
  'CertificateApproval',
  'CertificateSigning',
  'CertificateSubjectRestriction',
  'ClusterTrustBundleAttest',
  'DefaultIngressClass',
  'DefaultStorageClass',
  'DefaultTolerationSeconds',
  'LimitRanger',
  'MutatingAdmissionWebhook',
  'NamespaceLifecycle',
  'PersistentVolumeClaimResize',
  'PodSecurity',
  'Priority',
  'ResourceQuota',
  'RuntimeClass',
  'ServiceAccount',
  'StorageObjectInUseProtection',
  'TaintNodesByCondition',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
]);

/** Plugins that must stay on, with why, and the controls that require them. */
const ESSENTIAL: Readonly<Record<string, { why: string; frameworks: FrameworkRefs }>> = {
  NamespaceLifecycle: { why: 'objects could be created in namespaces being deleted or that do not exist', frameworks: { cis: ['1.2.13'] } },
  ServiceAccount: { why: 'pods would not be bound to service accounts and their tokens', frameworks: { cis: ['1.2.12'] } },
  NodeRestriction: { why: 'kubelets could modify other nodes and pods', frameworks: { cis: ['1.2.14'], nsa: ['Control plane hardening'] } },
  PodSecurity: {
    why: 'Pod Security Standards labels on namespaces would not be enforced',
    frameworks: { nsa: ['Pod security enforcement'] },
  },
  ValidatingAdmissionWebhook: {
    why: 'policy engines (Gatekeeper, Kyverno) would stop validating',
    frameworks: { nsa: ['Pod security enforcement'] },
  },
  MutatingAdmissionWebhook: { why: 'mutating policy and sidecar injection would stop', frameworks: {} },
  ValidatingAdmissionPolicy: {
    why: 'ValidatingAdmissionPolicy objects would not be enforced',
    frameworks: { nsa: ['Pod security enforcement'] },
  },
};

/** Plugins the CIS benchmark asks to turn on, the controls, and whether they matter only for multi-tenant clusters. */
const REQUIRED: readonly { plugin: string; why: string; frameworks: FrameworkRefs; multiTenantOnly: boolean }[] = [
  {
    plugin: 'NodeRestriction',
    why: 'without it a compromised kubelet can modify any node and the pods on other nodes',
    frameworks: { cis: ['1.2.14'], nsa: ['Control plane hardening'] },
    multiTenantOnly: false,
  },
  {
    plugin: 'EventRateLimit',
    why: 'without it one misbehaving client can flood the API server with events',
    frameworks: { cis: ['1.2.9'] },
    multiTenantOnly: false,
  },
  {
    plugin: 'AlwaysPullImages',
    why: 'without it a pod can run a private image already pulled to its node by another tenant, without credentials for it',
    frameworks: { cis: ['1.2.11'] },
    multiTenantOnly: true,
  },
  {
    plugin: 'DenyServiceExternalIPs',
    why: 'without it anyone who can create Services can claim external IPs and intercept traffic (CVE-2020-8554)',
    frameworks: { cis: ['1.2.3'] },
    multiTenantOnly: true,
  },
];

const options = z
  .object({
    /**
     * Whether the cluster is shared by teams that do not trust each other. AlwaysPullImages and
     * DenyServiceExternalIPs are required only then (the CIS benchmark requires them by default).
     */
    multiTenant: z.boolean().default(true),
  })
  .strict();

export default defineCheck({
  id: 'control-plane/apiserver-admission-plugins',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server admission plugins are missing or disabled',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: {
      cis: ['1.2.3', '1.2.9', '1.2.10', '1.2.11', '1.2.12', '1.2.13', '1.2.14'],
      nsa: ['Control plane hardening', 'Pod security enforcement'],
      mitre: ['T1611', 'T1499'],
    },
    description:
      'Admission plugins enforce rules the API alone does not: NodeRestriction confines kubelets, PodSecurity enforces Pod Security Standards, EventRateLimit protects the API server from floods, AlwaysPullImages and DenyServiceExternalIPs close cross-tenant holes. AlwaysAdmit admits everything.',
    remediation:
      'Add the missing plugins to `--enable-admission-plugins` (EventRateLimit also needs `--admission-control-config-file`), never list AlwaysAdmit, and keep essential plugins out of `--disable-admission-plugins`.',
  },
  messages: {
    missing: 'kube-apiserver does not enable the {{plugin}} admission plugin: {{why}}. Add it to --enable-admission-plugins.',
    disabled: 'kube-apiserver disables the {{plugin}} admission plugin: {{why}}. Remove it from --disable-admission-plugins.',
    alwaysAdmit: 'kube-apiserver enables the AlwaysAdmit admission plugin, which admits every request; remove it.',
    eventRateLimitConfig:
      'kube-apiserver enables EventRateLimit without --admission-control-config-file; the plugin needs its limits configured there.',
  },
  options,
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    // --admission-control is the deprecated spelling of --enable-admission-plugins.
    const enableFlag = listFlag(apiserver, 'enable-admission-plugins');
    const legacy = listFlag(apiserver, 'admission-control');
    const enabled = new Set([...enableFlag.items, ...legacy.items]);
    const disableFlag = listFlag(apiserver, 'disable-admission-plugins');
    const disabled = new Set(disableFlag.items);
    const enablePointer = enableFlag.pointer ?? legacy.pointer ?? apiserver.missingPointer;
    const isOn = (plugin: string): boolean => (enabled.has(plugin) || DEFAULT_ON.has(plugin)) && !disabled.has(plugin);

    if (enabled.has('AlwaysAdmit'))
      ctx.report({ messageId: 'alwaysAdmit', pointer: enablePointer, severity: 'high', frameworks: { cis: ['1.2.10'] } });
    for (const [plugin, { why, frameworks }] of Object.entries(ESSENTIAL)) {
      if (disabled.has(plugin)) {
        ctx.report({ messageId: 'disabled', pointer: disableFlag.pointer ?? enablePointer, data: { plugin, why }, frameworks });
      }
    }
    for (const { plugin, why, frameworks, multiTenantOnly } of REQUIRED) {
      if (multiTenantOnly && !ctx.options.multiTenant) continue;
      // A required plugin that is explicitly disabled was reported above.
      if (!isOn(plugin) && !disabled.has(plugin)) {
        ctx.report({ messageId: 'missing', pointer: enablePointer, data: { plugin, why }, frameworks });
      }
    }
    if (isOn('EventRateLimit') && flagValue(apiserver, 'admission-control-config-file') === undefined) {
      // Not part of the CIS audit of 1.2.9 (which checks only the plugin list), so not attributed to it.
      ctx.report({
        messageId: 'eventRateLimitConfig',
        pointer: enablePointer,
        severity: 'low',
        frameworks: { nsa: ['Control plane hardening'] },
      });
    }
  },
});
