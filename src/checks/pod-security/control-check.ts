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

// The 19 control checks run one after another on each pod template (run-checks.ts judges one
// template at a time): read it once for all of them. One slot, not a WeakMap keyed by the spec: a
// WeakMap entry whose key is young keeps its value alive through young-generation GCs, so every
// admission review's prepared pod was copied and promoted to the old generation, which lengthened
// the GC pauses behind the webhook's tail latency.
let prepared: { spec: object; pointer: string; metadata: unknown; metadataPointer: string; pod: PreparedPod } | undefined;

function preparedPodOf(subject: PodSpecSubject): PreparedPod {
  if (
    prepared?.spec === subject.spec &&
    prepared.pointer === subject.pointer &&
    prepared.metadata === subject.metadata &&
    prepared.metadataPointer === subject.metadataPointer
  ) {
    return prepared.pod;
  }
  const pod = preparePod({
    spec: subject.spec,
    metadata: subject.metadata,
    specPointer: subject.pointer,
    metadataPointer: subject.metadataPointer,
  });
  prepared = { spec: subject.spec, pointer: subject.pointer, metadata: subject.metadata, metadataPointer: subject.metadataPointer, pod };
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
