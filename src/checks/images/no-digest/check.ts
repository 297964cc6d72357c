import { z } from 'zod';

import { parseImageReference } from '../../../k8s/image-reference.js';
import { defineCheck } from '../../define-check.js';
import { matchesImagePattern } from '../image-patterns.js';

const options = z
  .object({
    /** Registries or repositories whose images need no digest (a registry with immutable tags, your own builds). */
    exemptRepositories: z.array(z.string().min(1)).default([]),
  })
  .strict();

export default defineCheck({
  id: 'images/no-digest',
  target: 'Container',
  meta: {
    title: 'Image is not pinned by digest',
    area: 'images',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Building secure container images'], mitre: ['T1525', 'T1204.003'] },
    description:
      'A tag, even a version tag, can be moved to different content by anyone who can push to the repository. Only a digest names exactly the image that was reviewed and scanned.',
    remediation: 'Reference the image as `repository@sha256:<digest>` (a tag may stay in front of the digest for readability).',
  },
  messages: {
    noDigest: 'Container "{{name}}" runs image "{{image}}" by tag only; pin it by digest (@sha256:…) so it cannot change underneath you.',
    invalidDigest:
      'Container "{{name}}" names image "{{image}}" with a malformed digest, which pins nothing (the runtime rejects it or falls back to the tag); use the full sha256 digest of 64 lower-case hex digits.',
  },
  options,
  run({ container, pointer }, ctx) {
    if (typeof container.image !== 'string') return;
    const ref = parseImageReference(container.image);
    if (ref === undefined || ref.digest !== undefined) return;
    if (ctx.options.exemptRepositories.some((pattern) => matchesImagePattern(ref, pattern))) return;
    ctx.report({
      // A reference with "@" whose digest did not parse looks pinned in review but is not.
      messageId: container.image.includes('@') ? 'invalidDigest' : 'noDigest',
      pointer: `${pointer}/image`,
      data: { name: container.name ?? '<unnamed>', image: container.image },
    });
  },
});
