import { z } from 'zod';

import { evaluateControl, type ControlId } from '../../analysis/pss/index.js';
import { isPolicyVersion, LATEST, parsePolicyVersion } from '../../analysis/pss/policy-version.js';
import { preparePod, type PreparedPod } from '../../analysis/pss/pod-view.js';
import type { CheckLevel } from '../../analysis/pss/levels.js';
import type { CheckContext, PodSpecSubject } from '../define-check.js';

/** Options of every per-control check: the policy version to judge at (default `latest`). */
export const pssVersionOptions = z
  .object({
    version: z
      .string()
      .refine(isPolicyVersion, 'expected "latest" or a policy version such as "v1.30" (no leading zeros, no patch)')
      .default('latest'),
  })
  .strict();

export type PssVersionOptions = z.infer<typeof pssVersionOptions>;

/** The one message of a per-control check; `{{problem}}`, `{{policy}}` and `{{reason}}` are filled in. */
export type ControlMessageId = 'forbidden';

// The 19 control checks run on the same pod templates: read each template once for all of them.
const prepared = new WeakMap<object, { pointer: string; pod: PreparedPod }>();

function preparedPodOf(subject: PodSpecSubject): PreparedPod {
  const cached = prepared.get(subject.spec);
  if (cached?.pointer === subject.pointer) return cached.pod;
  const pod = preparePod({
    spec: subject.spec,
    metadata: subject.metadata,
    specPointer: subject.pointer,
    metadataPointer: subject.metadataPointer,
  });
  prepared.set(subject.spec, { pointer: subject.pointer, pod });
  return pod;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Judge one Pod Security control on a pod template with the engine (the same code the CLI and admission
 * use) and report each field at fault, at its exact place in the workload.
 */
export function reportControl(
  subject: PodSpecSubject,
  ctx: CheckContext<ControlMessageId, PssVersionOptions>,
  control: ControlId,
  level: CheckLevel,
): void {
  const version = parsePolicyVersion(ctx.options.version) ?? LATEST;
  const verdict = evaluateControl(preparedPodOf(subject), control, version);
  if (verdict.status !== 'forbidden') return;
  for (const field of verdict.outcome.fields) {
    ctx.report({
      messageId: 'forbidden',
      pointer: field.pointer,
      data: { problem: capitalise(field.problem), policy: `${level}:${version.text}`, reason: verdict.outcome.reason },
    });
  }
}
