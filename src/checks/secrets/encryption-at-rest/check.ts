import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { CONTROL_PLANE_KINDS, flagValue, invocationFor } from '../../control-plane/component-flags.js';

/** True when a `resources` entry of an EncryptionConfiguration covers core-group Secrets. */
function coversSecrets(resources: readonly unknown[]): boolean {
  // Exact name, every resource of the core group (`*.`), or every resource (`*.*`), since Kubernetes 1.27.
  return resources.some((r) => r === 'secrets' || r === 'secrets.' || r === '*.' || r === '*.*');
}

/** The provider type of one providers[] entry: its single key (`identity`, `aescbc`, `kms` …). */
function providerType(provider: unknown): string | undefined {
  if (!isRecord(provider)) return undefined;
  const keys = Object.keys(provider);
  return keys.length === 1 ? keys[0] : undefined;
}

export default defineCheck({
  id: 'secrets/encryption-at-rest',
  target: 'Object',
  kinds: [...CONTROL_PLANE_KINDS, 'apiserver.config.k8s.io/EncryptionConfiguration'],
  meta: {
    title: 'Secrets are not encrypted at rest',
    area: 'secrets',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.27', '1.2.28'], nsa: ['Encryption', 'Secrets', 'Etcd'], mitre: ['T1552.007'] },
    description:
      'Without an encryption provider configuration the API server writes Secrets to etcd in plain text: anyone with a copy of etcd’s data directory or a backup reads every credential of the cluster. An EncryptionConfiguration whose first provider for Secrets is `identity` writes them in plain text too.',
    remediation:
      'Give kube-apiserver `--encryption-provider-config` pointing at an EncryptionConfiguration whose first provider for `secrets` is `kms` (v2), `aesgcm` or `secretbox`, then rewrite existing Secrets (`kubectl get secrets -A -o json | kubectl replace -f -`).',
  },
  messages: {
    noConfig:
      'kube-apiserver does not set --encryption-provider-config, so Secrets are stored in etcd in plain text; configure encryption at rest.',
    notCovered: 'EncryptionConfiguration "{{name}}" has no resources entry for secrets, so Secrets are stored in plain text; add one.',
    identityFirst:
      'EncryptionConfiguration "{{name}}" lists identity first for secrets, so new Secrets are written in plain text; put kms, aesgcm or secretbox first (identity may stay last, for reading old data).',
    noProviders: 'EncryptionConfiguration "{{name}}" lists no providers for secrets; add kms, aesgcm or secretbox.',
    weakProvider:
      'EncryptionConfiguration "{{name}}" encrypts secrets with aescbc, which Kubernetes no longer recommends (CBC is open to padding-oracle attacks); prefer kms v2, aesgcm with rotation, or secretbox.',
  },
  run(subject, ctx) {
    const { object, entry } = subject;
    if (entry.ref.kind !== 'EncryptionConfiguration') {
      const apiserver = invocationFor('kube-apiserver', subject, ctx);
      if (apiserver === undefined) return;
      if (flagValue(apiserver, 'encryption-provider-config') === undefined) {
        ctx.report({
          messageId: 'noConfig',
          pointer: apiserver.missingPointer,
          frameworks: { cis: ['1.2.27'], nsa: ['Encryption', 'Secrets'] },
        });
      }
      return;
    }
    const name = object.metadata.name;
    const entries = arrayOrEmpty(object.resources);
    const index = entries.findIndex((e) => isRecord(e) && coversSecrets(arrayOrEmpty(e.resources)));
    if (index === -1) {
      ctx.report({
        messageId: 'notCovered',
        pointer: '/resources',
        data: { name },
        frameworks: { cis: ['1.2.28'], nsa: ['Encryption', 'Secrets'] },
      });
      return;
    }
    const providers = arrayOrEmpty((entries[index] as Readonly<Record<string, unknown>>).providers);
    const first = providerType(providers[0]);
    if (first === undefined) {
      ctx.report({ messageId: 'noProviders', pointer: `/resources/${index}/providers`, data: { name }, frameworks: { cis: ['1.2.28'] } });
    } else if (first === 'identity') {
      ctx.report({
        messageId: 'identityFirst',
        pointer: `/resources/${index}/providers/0`,
        data: { name },
        frameworks: { cis: ['1.2.28'], nsa: ['Encryption', 'Secrets'] },
      });
    } else if (first === 'aescbc') {
      // Acceptable to the CIS benchmark, so not attributed to 1.2.28; Kubernetes' own guidance advises against it.
      ctx.report({
        messageId: 'weakProvider',
        pointer: `/resources/${index}/providers/0`,
        data: { name },
        severity: 'low',
        frameworks: { nsa: ['Encryption'] },
      });
    }
  },
});
