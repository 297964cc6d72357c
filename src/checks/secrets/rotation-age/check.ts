import { z } from 'zod';

import { valueAt } from '../../../core/json-pointer.js';
import { arrayOrEmpty, isRecord, stringOrUndefined } from '../../../k8s/guards.js';
import type { KubeObject } from '../../../k8s/types.js';
import { defineCheck } from '../../define-check.js';

/** Secrets whose content the control plane or Helm writes; rotating them is not the owner's job. */
const MANAGED_TYPES = new Set(['kubernetes.io/service-account-token', 'bootstrap.kubernetes.io/token', 'helm.sh/release.v1']);

const DAY_MS = 24 * 60 * 60 * 1000;

const options = z
  .object({
    /** Days after which a Secret's content counts as due for rotation. */
    maxAgeDays: z.number().int().positive().default(90),
    /** The time to measure ages against (ISO 8601); the time of the scan when absent. */
    now: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** True when a managedFields entry wrote the Secret's content (`f:data` / `f:stringData`). */
function touchesData(entry: Readonly<Record<string, unknown>>): boolean {
  const fields = entry.fieldsV1;
  return isRecord(fields) && ('f:data' in fields || 'f:stringData' in fields);
}

/**
 * When the Secret's content was last written: the newest managedFields entry that set `data` or
 * `stringData` (server-side field tracking, present on objects read from a cluster), else the
 * creation time. Rotation updates a Secret in place, so the creation time alone would overstate its age.
 */
export function lastWrittenOf(object: KubeObject): { time: number; source: 'managedFields' | 'creationTimestamp' } | undefined {
  let newest: number | undefined;
  for (const entry of arrayOrEmpty(valueAt(object, '/metadata/managedFields'))) {
    if (!isRecord(entry) || !touchesData(entry)) continue;
    const time = Date.parse(stringOrUndefined(entry.time) ?? '');
    if (!Number.isNaN(time) && (newest === undefined || time > newest)) newest = time;
  }
  if (newest !== undefined) return { time: newest, source: 'managedFields' };
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? undefined : { time: created, source: 'creationTimestamp' };
}

export default defineCheck({
  id: 'secrets/rotation-age',
  target: 'Object',
  kinds: ['Secret'],
  meta: {
    title: 'Secret not rotated within the rotation age',
    area: 'secrets',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Secrets'], mitre: ['T1552.007', 'T1078'] },
    description:
      'The longer a credential lives, the more copies of it exist (old laptops, CI caches, departed colleagues) and the longer a leaked copy stays useful. A Secret whose content has not changed for longer than the rotation age has not been rotated.',
    remediation:
      'Rotate the credential at its source, update the Secret, and automate it (External Secrets refresh, cert-manager renewal, Vault dynamic credentials).',
  },
  messages: {
    stale:
      'Secret "{{name}}" was last written {{age}} days ago ({{date}}, from {{source}}), more than the {{max}}-day rotation age; rotate the credential.',
  },
  options,
  run({ object }, ctx) {
    const type = stringOrUndefined(object.type);
    const written = type !== undefined && MANAGED_TYPES.has(type) ? undefined : lastWrittenOf(object);
    // Manifests carry no timestamps: there is nothing to measure.
    if (written === undefined) {
      ctx.notApplicable();
      return;
    }
    const now = ctx.options.now === undefined ? Date.now() : Date.parse(ctx.options.now);
    const age = Math.floor((now - written.time) / DAY_MS);
    if (age <= ctx.options.maxAgeDays) return;
    ctx.report({
      messageId: 'stale',
      pointer: written.source === 'managedFields' ? '/metadata/managedFields' : '/metadata/creationTimestamp',
      data: {
        name: object.metadata.name,
        age,
        date: new Date(written.time).toISOString().slice(0, 10),
        source: written.source,
        max: ctx.options.maxAgeDays,
      },
    });
  },
});
