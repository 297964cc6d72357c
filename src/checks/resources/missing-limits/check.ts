import { defineCheck } from '../../define-check.js';
import { missingResources, requiredResourcesOptions } from '../resource-keys.js';

export default defineCheck({
  id: 'resources/missing-limits',
  target: 'Container',
  meta: {
    title: 'Container has no resource limits',
    area: 'resources',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1496', 'T1499'] },
    description:
      'A container without a memory limit can take all of a node’s memory and get its neighbours OOM-killed; without a CPU limit it can monopolise the node’s CPU. Both turn one bad or compromised workload into a node-wide outage (and are how cryptominers go unnoticed).',
    remediation:
      'Set `resources.limits.memory` (and `resources.limits.cpu` unless you deliberately run without CPU limits; then configure `require: [memory]`).',
  },
  messages: {
    missing: 'Container "{{name}}" sets no {{resource}} limit; set resources.limits.{{resource}} to cap what it can take from the node.',
  },
  options: requiredResourcesOptions,
  run({ container, pointer, kind }, ctx) {
    if (kind === 'ephemeralContainers') return;
    for (const resource of missingResources(container, 'limits', ctx.options.require)) {
      ctx.report({
        messageId: 'missing',
        pointer: `${pointer}/resources/limits/${resource}`,
        data: { name: container.name ?? '<unnamed>', resource },
      });
    }
  },
});
