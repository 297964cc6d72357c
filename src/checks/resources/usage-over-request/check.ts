import { z } from 'zod';

import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { parseQuantity } from '../../../k8s/quantity.js';
import { defineCheck } from '../../define-check.js';

const quantity = z
  .union([z.string(), z.number()])
  .refine((q) => parseQuantity(q) !== undefined, { message: 'expected a Kubernetes quantity' });

const options = z
  .object({
    /** Report usage above this multiple of the request. */
    factor: z.number().min(1).default(2),
    /** Ignore usage below these amounts: a container using 20m of CPU against a 5m request is not a problem. */
    ignoreBelow: z
      .object({ cpu: quantity.default('100m'), memory: quantity.default('64Mi') })
      .strict()
      .default({ cpu: '100m', memory: '64Mi' }),
  })
  .strict();

function formatCpu(cores: number): string {
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${Math.round(cores * 100) / 100}`;
}

function formatMemory(bytes: number): string {
  const mi = bytes / 2 ** 20;
  return mi >= 1024 ? `${Math.round((mi / 1024) * 10) / 10}Gi` : `${Math.round(mi)}Mi`;
}

export default defineCheck({
  id: 'resources/usage-over-request',
  target: 'Object',
  kinds: ['metrics.k8s.io/PodMetrics'],
  reads: ['Pod'],
  localReads: ['Pod'],
  meta: {
    title: 'Pod uses far more than it requests',
    area: 'resources',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1496', 'T1499'] },
    description:
      'Requests are what the scheduler reserves. A container using several times its request takes capacity its neighbours were promised — and a sudden jump in CPU far above the request is also what a cryptominer running inside a compromised container looks like.',
    remediation:
      'Check why the container uses so much (legitimate growth, a leak, or something that should not be running); then raise its request to its real need or fix the cause.',
  },
  messages: {
    over: 'Container "{{container}}" of pod "{{pod}}" uses {{usage}} {{resource}}, {{ratio}} times its request of {{request}} (metrics.k8s.io); check why.',
  },
  options,
  run({ object, entry, inventory }, ctx) {
    const namespace = entry.ref.namespace;
    const podEntry = namespace === undefined ? undefined : inventory.get('', 'Pod', namespace, object.metadata.name);
    const podSpec = podEntry !== undefined && isRecord(podEntry.object.spec) ? podEntry.object.spec : undefined;
    // The requests are in the Pod; without it in the input there is nothing to compare with.
    if (podEntry === undefined || podSpec === undefined) {
      ctx.notApplicable();
      return;
    }
    const containers = arrayOrEmpty(podSpec.containers);
    const ignoreBelow = {
      cpu: parseQuantity(ctx.options.ignoreBelow.cpu) ?? 0,
      memory: parseQuantity(ctx.options.ignoreBelow.memory) ?? 0,
    };
    for (const metrics of arrayOrEmpty(object.containers)) {
      if (!isRecord(metrics) || typeof metrics.name !== 'string' || !isRecord(metrics.usage)) continue;
      const index = containers.findIndex((c) => isRecord(c) && c.name === metrics.name);
      const container = containers[index];
      if (!isRecord(container)) continue;
      const requests = isRecord(container.resources) && isRecord(container.resources.requests) ? container.resources.requests : {};
      for (const resource of ['cpu', 'memory'] as const) {
        const usage = parseQuantity(metrics.usage[resource]);
        const request = parseQuantity(requests[resource]);
        // No request is resources/missing-requests' business.
        if (usage === undefined || request === undefined || request <= 0 || usage < ignoreBelow[resource]) continue;
        if (usage <= request * ctx.options.factor) continue;
        const format = resource === 'cpu' ? formatCpu : formatMemory;
        ctx.report({
          messageId: 'over',
          resource: podEntry,
          pointer: `/spec/containers/${index}/resources/requests/${resource}`,
          data: {
            container: metrics.name,
            pod: object.metadata.name,
            usage: format(usage),
            resource: resource === 'cpu' ? 'CPU' : 'memory',
            ratio: Math.round((usage / request) * 10) / 10,
            request: format(request),
          },
        });
      }
    }
  },
});
