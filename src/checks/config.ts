import { z } from 'zod';

import { VigilError } from '../core/errors.js';
import { pointerOf } from '../core/json-pointer.js';
import { SEVERITIES } from '../core/severity.js';
import { LineIndex } from '../sources/line-index.js';
import { parseYamlStream } from '../sources/yaml-documents.js';

const CHECK_PATTERN = /^(?:\*|[a-z0-9-]+\/(?:\*|[a-z0-9-]+))$/;

const checkPattern = z.string().regex(CHECK_PATTERN, 'expected a check id such as images/latest-tag, or a glob such as images/*');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

const exceptionSchema = z
  .object({
    check: z.union([checkPattern, z.array(checkPattern).min(1)]),
    namespace: z.string().min(1).optional(),
    kind: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    container: z.string().min(1).optional(),
    reason: z
      .string({ error: 'a reason is required: say why this exception is acceptable' })
      .trim()
      .min(1, 'a reason is required: say why this exception is acceptable'),
    owner: z.string().min(1).optional(),
    expires: isoDate.optional(),
  })
  .strict();

const checkSettingsSchema = z
  .object({
    enabled: z.boolean().optional(),
    severity: z.enum(SEVERITIES).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const configSchema = z
  .object({
    checks: z.record(checkPattern, checkSettingsSchema).optional(),
    exceptions: z.array(exceptionSchema).optional(),
    annotationExceptions: z.boolean().optional(),
    // The admission webhook's settings; validated by src/admission/config.ts, ignored by scans.
    admission: z.unknown().optional(),
  })
  .strict();

export type ExceptionRule = z.infer<typeof exceptionSchema>;
export type CheckSettings = z.infer<typeof checkSettingsSchema>;

/** `.vigil.yaml`, validated. */
export interface VigilConfig {
  /** Per check id (or glob), whether it runs, its severity and its options. */
  readonly checks: Readonly<Record<string, CheckSettings>>;
  readonly exceptions: readonly ExceptionRule[];
  /** Whether `vigil.dev/ignore` annotations are honoured (default true; the CLI flag can turn them off). */
  readonly annotationExceptions: boolean;
  /** The file it was read from, for messages. */
  readonly file?: string;
}

export const EMPTY_CONFIG: VigilConfig = { checks: {}, exceptions: [], annotationExceptions: true };

/**
 * Parse a `.vigil.yaml`. Errors name the file and line of the offending field and what is expected;
 * a config that cannot be trusted stops the run rather than being half applied.
 */
export function parseConfig(text: string, file: string): VigilConfig {
  const lines = new LineIndex(text);
  const stream = parseYamlStream(text, lines);
  const problem = stream.problems[0];
  if (problem !== undefined) {
    throw new VigilError(`${file}:${problem.line}: ${problem.message}`, { hint: problem.hint, location: { file, line: problem.line } });
  }
  const doc = stream.documents[0];
  if (doc === undefined) return { ...EMPTY_CONFIG, file };
  if (stream.documents.length > 1) {
    throw new VigilError(`${file}: expected one YAML document, found ${stream.documents.length}`, {
      hint: 'Put all settings in a single document.',
    });
  }
  const result = configSchema.safeParse(doc.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.filter((p): p is string | number => typeof p !== 'symbol') ?? [];
    const at = doc.positions.locate(pointerOf(...path));
    const where = path.length === 0 ? '' : ` at ${path.join('.')}`;
    throw new VigilError(`${file}:${at?.line ?? doc.line}: invalid configuration${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'See "Configuration" in the README for the accepted keys.',
      location: { file, ...(at === undefined ? {} : { line: at.line }) },
    });
  }
  const config = result.data;
  return {
    checks: config.checks ?? {},
    exceptions: config.exceptions ?? [],
    annotationExceptions: config.annotationExceptions ?? true,
    file,
  };
}
