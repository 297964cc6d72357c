import { z } from 'zod';

import { isRecord } from '../../k8s/guards.js';
import type { Container } from '../../k8s/types.js';

/** Options shared by the requests and limits checks: which resources must be set. */
export const requiredResourcesOptions = z
  .object({
    require: z
      .array(z.enum(['cpu', 'memory', 'ephemeral-storage']))
      .min(1)
      .default(['cpu', 'memory']),
  })
  .strict();

export type RequiredResources = z.infer<typeof requiredResourcesOptions>;

/** Resources in `required` that the container's requests (or limits) do not set. */
export function missingResources(container: Container, field: 'requests' | 'limits', required: readonly string[]): string[] {
  const resources = isRecord(container.resources) ? container.resources : undefined;
  const set = resources !== undefined && isRecord(resources[field]) ? (resources[field] as Record<string, unknown>) : {};
  return required.filter((name) => set[name] === undefined || set[name] === null || set[name] === '');
}
