import { parseImageReference } from '../../../k8s/image-reference.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'images/latest-tag',
  target: 'Container',
  meta: {
    title: 'Image uses the latest tag or no tag',
    area: 'images',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Building secure container images'], mitre: ['T1525', 'T1204.003'] },
    description:
      'An image referenced by `latest` or by no tag at all can change under the same name: two nodes can run different code, a rollback cannot return to what ran before, and a pushed (or substituted) image is picked up silently.',
    remediation: 'Reference the image by an immutable version tag, or better by digest (`image@sha256:…`).',
  },
  messages: {
    latest: 'Container "{{name}}" uses image "{{image}}" with the mutable tag "latest"; pin a version tag or a digest.',
    untagged: 'Container "{{name}}" uses image "{{image}}" with no tag, which means "latest"; pin a version tag or a digest.',
    missing: 'Container "{{name}}" has no image.',
  },
  run({ container, pointer }, ctx) {
    const name = container.name ?? '<unnamed>';
    if (typeof container.image !== 'string' || container.image.trim() === '') {
      ctx.report({ messageId: 'missing', pointer, data: { name } });
      return;
    }
    const ref = parseImageReference(container.image);
    // A digest pins the content whatever the tag says.
    if (ref === undefined || ref.digest !== undefined) return;
    if (ref.tag === undefined) {
      ctx.report({ messageId: 'untagged', pointer: `${pointer}/image`, data: { name, image: container.image } });
    } else if (ref.tag === 'latest') {
      ctx.report({ messageId: 'latest', pointer: `${pointer}/image`, data: { name, image: container.image } });
    }
  },
});
