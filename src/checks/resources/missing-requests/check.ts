import { defineCheck } from '../../define-check.js';
import { missingResources, requiredResourcesOptions } from '../resource-keys.js';

export default defineCheck({
  id: 'resources/missing-requests',
  target: 'Container',
  meta: {
    title: 'Container has no resource requests',
    area: 'resources',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1499'] },
    description:
      'Without requests the scheduler places the pod as if it needed nothing, and it is first to be evicted under pressure (BestEffort QoS). Noisy or compromised neighbours can then starve it.',
    remediation: 'Set `resources.requests.cpu` and `resources.requests.memory` to what the container needs at normal load.',
  },
  messages: {
    missing:
      'Container "{{name}}" sets no {{resource}} request; set resources.requests.{{resource}} so the scheduler reserves what it needs.',
  },
  options: requiredResourcesOptions,
  run({ container, pointer, kind }, ctx) {
    // Ephemeral containers may not set resources (the API forbids it).
    if (kind === 'ephemeralContainers') return;
    for (const resource of missingResources(container, 'requests', ctx.options.require)) {
      ctx.report({
        messageId: 'missing',
        pointer: `${pointer}/resources/requests/${resource}`,
        data: { name: container.name ?? '<unnamed>', resource },
      });
    }
  },
});
