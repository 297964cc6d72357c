import { z } from 'zod';

import { parseImageReference, type ImageReference } from '../../../k8s/image-reference.js';
import { defineCheck } from '../../define-check.js';

const options = z
  .object({
    /**
     * `mutable-tags`: an image referenced by a tag that moves (`latest`, no tag, or one of `floatingTags`)
     * must be pulled every time. `always`: every container must state `imagePullPolicy: Always`.
     */
    require: z.enum(['mutable-tags', 'always']).default('mutable-tags'),
    /** Tags besides `latest` that your registries move (`stable`, `alpine`, `main`). */
    floatingTags: z.array(z.string().min(1)).default([]),
  })
  .strict();

/**
 * The pull policy the API server fills in when none is written (core/v1 defaults): Always for the tag
 * `latest` or an image with neither tag nor digest, IfNotPresent otherwise.
 */
export function defaultPullPolicy(ref: ImageReference): 'Always' | 'IfNotPresent' {
  return ref.tag === 'latest' || (ref.tag === undefined && ref.digest === undefined) ? 'Always' : 'IfNotPresent';
}

export default defineCheck({
  id: 'images/pull-policy',
  target: 'Container',
  meta: {
    title: 'Image pull policy lets a stale or substituted image run',
    area: 'images',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Building secure container images'], mitre: ['T1525'] },
    description:
      'With `IfNotPresent` or `Never`, a node runs whatever image it already has under the name. For a tag that moves, that is a stale build on some nodes and a new one on others; and an image placed on the node under that name (by another tenant or an attacker with node access) runs without the registry ever being asked.',
    remediation: 'Pin the image by digest, or set `imagePullPolicy: Always` for images referenced by a moving tag.',
  },
  messages: {
    mutable:
      'Container "{{name}}" runs "{{image}}" by the moving tag "{{tag}}" with pull policy {{policy}}; nodes may run a stale or substituted image. Pin a digest or set imagePullPolicy: Always.',
    notAlways: 'Container "{{name}}" {{how}}; set imagePullPolicy: Always.',
  },
  options,
  run({ container, pointer }, ctx) {
    if (typeof container.image !== 'string') return;
    const ref = parseImageReference(container.image);
    if (ref === undefined) return;
    const written = typeof container.imagePullPolicy === 'string' ? container.imagePullPolicy : undefined;
    const name = container.name ?? '<unnamed>';
    const at = written === undefined ? pointer : `${pointer}/imagePullPolicy`;
    if (ctx.options.require === 'always') {
      if (written !== 'Always') {
        ctx.report({
          messageId: 'notAlways',
          pointer: at,
          data: { name, how: written === undefined ? 'does not set imagePullPolicy' : `sets imagePullPolicy: ${written}` },
        });
      }
      return;
    }
    // A digest names the content: whatever the node has under it is the same image.
    if (ref.digest !== undefined) return;
    const tag = ref.tag ?? 'latest';
    if (tag !== 'latest' && !ctx.options.floatingTags.includes(tag)) return;
    const policy = written ?? defaultPullPolicy(ref);
    if (policy === 'Always') return;
    ctx.report({
      messageId: 'mutable',
      pointer: at,
      data: {
        name,
        image: container.image,
        tag: ref.tag === undefined ? 'latest (implied)' : tag,
        policy: written === undefined ? `${policy} (the default)` : policy,
      },
    });
  },
});
