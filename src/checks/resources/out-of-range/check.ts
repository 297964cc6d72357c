import { z } from 'zod';

import { isRecord } from '../../../k8s/guards.js';
import { parseQuantity } from '../../../k8s/quantity.js';
import { defineCheck } from '../../define-check.js';

const quantity = z
  .union([z.string(), z.number()])
  .refine((q) => parseQuantity(q) !== undefined, { message: 'expected a Kubernetes quantity such as 500m or 1Gi' });
const range = z.object({ min: quantity.optional(), max: quantity.optional() }).strict();
const perResource = z.object({ cpu: range.optional(), memory: range.optional(), 'ephemeral-storage': range.optional() }).strict();

const options = z
  .object({
    /** Allowed ranges for requests, per resource. */
    requests: perResource.default({}),
    /** Allowed ranges for limits, per resource. */
    limits: perResource.default({}),
  })
  .strict();

type Field = 'requests' | 'limits';
type Resource = 'cpu' | 'memory' | 'ephemeral-storage';
const RESOURCES: readonly Resource[] = ['cpu', 'memory', 'ephemeral-storage'];

export default defineCheck({
  id: 'resources/out-of-range',
  target: 'Container',
  meta: {
    title: 'Container resources outside the allowed range',
    area: 'resources',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1496', 'T1499'] },
    description:
      'Requests and limits far above what a workload needs reserve capacity others cannot use and let one workload take a node; values far below it get the container throttled or OOM-killed. Platform teams set ranges (as a LimitRange does at admission) to keep both in check.',
    remediation: 'Bring the request or limit into the configured range, or ask for an exception if the workload really needs it.',
  },
  messages: {
    below: 'Container "{{name}}" {{field}} {{value}} {{resource}}, below the minimum {{bound}}.',
    above: 'Container "{{name}}" {{field}} {{value}} {{resource}}, above the maximum {{bound}}.',
  },
  options,
  run({ container, pointer, kind }, ctx) {
    const configured = RESOURCES.some((r) => ctx.options.requests[r] !== undefined || ctx.options.limits[r] !== undefined);
    // Ephemeral containers may not set resources; without configured ranges there is nothing to judge.
    if (!configured || kind === 'ephemeralContainers') {
      ctx.notApplicable();
      return;
    }
    const resources = isRecord(container.resources) ? container.resources : {};
    for (const field of ['requests', 'limits'] as const satisfies readonly Field[]) {
      const set = isRecord(resources[field]) ? resources[field] : {};
      for (const resource of RESOURCES) {
        const bounds = ctx.options[field][resource];
        const raw = set[resource];
        // A missing value is the business of resources/missing-requests and resources/missing-limits.
        if (bounds === undefined || raw === undefined || raw === null) continue;
        const value = parseQuantity(raw);
        if (value === undefined || (typeof raw !== 'string' && typeof raw !== 'number')) continue;
        const data = {
          name: container.name ?? '<unnamed>',
          field: field === 'requests' ? 'requests' : 'is limited to',
          value: String(raw),
          resource,
        };
        const at = `${pointer}/resources/${field}/${resource}`;
        const min = bounds.min === undefined ? undefined : parseQuantity(bounds.min);
        const max = bounds.max === undefined ? undefined : parseQuantity(bounds.max);
        if (min !== undefined && value < min) ctx.report({ messageId: 'below', pointer: at, data: { ...data, bound: String(bounds.min) } });
        else if (max !== undefined && value > max)
          ctx.report({ messageId: 'above', pointer: at, data: { ...data, bound: String(bounds.max) } });
      }
    }
  },
});
