import { parseImageReference } from '../../../k8s/image-reference.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'images/no-digest',
  target: 'Container',
  meta: {
    title: 'Image is not pinned by digest',
    area: 'images',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Image security'], mitre: ['T1525'] },
    description:
      'A tag, even a version tag, can be moved to different content by anyone who can push to the repository. Only a digest names exactly the image that was reviewed and scanned.',
    remediation: 'Reference the image as `repository@sha256:<digest>` (a tag may stay in front of the digest for readability).',
  },
  messages: {
    noDigest: 'Container "{{name}}" runs image "{{image}}" by tag only; pin it by digest (@sha256:…) so it cannot change underneath you.',
  },
  run({ container, pointer }, ctx) {
    if (typeof container.image !== 'string') return;
    const ref = parseImageReference(container.image);
    if (ref === undefined || ref.digest !== undefined) return;
    ctx.report({
      messageId: 'noDigest',
      pointer: `${pointer}/image`,
      data: { name: container.name ?? '<unnamed>', image: container.image },
    });
  },
});
