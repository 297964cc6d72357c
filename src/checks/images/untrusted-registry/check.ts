import { z } from 'zod';

import { parseImageReference } from '../../../k8s/image-reference.js';
import { defineCheck } from '../../define-check.js';
import { matchesImagePattern } from '../image-patterns.js';

const options = z
  .object({
    /** Registries or repositories images may come from; empty means no allow-list. */
    allowedRegistries: z.array(z.string().min(1)).default([]),
    /** Registries or repositories images must never come from (checked even when allowed). */
    blockedRegistries: z.array(z.string().min(1)).default([]),
    /**
     * Registries that no longer receive images or updates. k8s.gcr.io was frozen on 3 April 2023
     * (Kubernetes blog, "k8s.gcr.io Image Registry Will Be Frozen"); its images get no security fixes.
     */
    deprecatedRegistries: z.array(z.string().min(1)).default(['k8s.gcr.io']),
  })
  .strict();

export default defineCheck({
  id: 'images/untrusted-registry',
  target: 'Container',
  meta: {
    title: 'Image from a registry outside the allow-list',
    area: 'images',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Building secure container images'], mitre: ['T1204.003', 'T1525'] },
    description:
      'Images from registries you do not control or vet can be replaced, typo-squatted or malicious, and bypass the scanning, signing and provenance checks your own pipeline applies. An allow-list of registries is the simplest supply-chain control.',
    remediation:
      'Mirror the image into an allowed registry (after scanning it) and reference it there, or add the registry to `allowedRegistries` if it is trustworthy.',
  },
  messages: {
    notAllowed: 'Container "{{name}}" runs image "{{image}}" from {{registry}}, which is not in the allowed registries ({{allowed}}).',
    blocked: 'Container "{{name}}" runs image "{{image}}" from {{registry}}, which is blocked ({{pattern}}).',
    deprecated:
      'Container "{{name}}" runs image "{{image}}" from {{registry}}, a registry that no longer receives images or security fixes; move to its successor (registry.k8s.io for k8s.gcr.io).',
  },
  options,
  run({ container, pointer }, ctx) {
    const { allowedRegistries, blockedRegistries, deprecatedRegistries } = ctx.options;
    // Without any list there is nothing to judge against.
    if (allowedRegistries.length === 0 && blockedRegistries.length === 0 && deprecatedRegistries.length === 0) {
      ctx.notApplicable();
      return;
    }
    if (typeof container.image !== 'string') return;
    const ref = parseImageReference(container.image);
    if (ref === undefined) return;
    const data = { name: container.name ?? '<unnamed>', image: container.image, registry: ref.registry };
    const blocked = blockedRegistries.find((pattern) => matchesImagePattern(ref, pattern));
    if (blocked !== undefined) {
      ctx.report({ messageId: 'blocked', pointer: `${pointer}/image`, data: { ...data, pattern: blocked } });
      return;
    }
    if (allowedRegistries.length > 0 && !allowedRegistries.some((pattern) => matchesImagePattern(ref, pattern))) {
      ctx.report({ messageId: 'notAllowed', pointer: `${pointer}/image`, data: { ...data, allowed: allowedRegistries.join(', ') } });
      return;
    }
    if (deprecatedRegistries.some((pattern) => matchesImagePattern(ref, pattern))) {
      ctx.report({ messageId: 'deprecated', pointer: `${pointer}/image`, data, severity: 'medium' });
    }
  },
});
