import { parseConfig, type VigilConfig, EMPTY_CONFIG } from '../checks/config.js';
import { VigilError } from '../core/errors.js';
import { pointerOf } from '../core/json-pointer.js';
import { isRecord } from '../k8s/guards.js';
import { LineIndex } from '../sources/line-index.js';
import { parseYamlStream } from '../sources/yaml-documents.js';
import { admissionSectionSchema, admissionSettingsOf, DEFAULT_ADMISSION_SETTINGS, type AdmissionSettings } from './settings.js';

/** The webhook's configuration: the `.vigil.yaml` keys (checks, exceptions) and the `admission:` section. */
export interface AdmissionConfig {
  /** Check settings and exceptions, as `vigil scan` reads them (annotation exceptions are never used here). */
  readonly vigil: VigilConfig;
  readonly admission: AdmissionSettings;
}

export const DEFAULT_ADMISSION_CONFIG: AdmissionConfig = { vigil: EMPTY_CONFIG, admission: DEFAULT_ADMISSION_SETTINGS };

/**
 * Parse a configuration file for the webhook: a `.vigil.yaml` (its `checks` and `exceptions` apply)
 * with an optional `admission:` section. Errors name the file, the line and the field; a
 * configuration that cannot be trusted stops the server rather than being half applied.
 */
export function parseAdmissionConfig(text: string, file: string): AdmissionConfig {
  const vigil = parseConfig(text, file);
  const lines = new LineIndex(text);
  const doc = parseYamlStream(text, lines).documents[0];
  const section = isRecord(doc?.value) ? doc.value['admission'] : undefined;
  if (section === undefined || section === null) return { vigil, admission: DEFAULT_ADMISSION_SETTINGS };
  const result = admissionSectionSchema.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = ['admission', ...(issue?.path.filter((p): p is string | number => typeof p !== 'symbol') ?? [])];
    const at = doc?.positions.locate(pointerOf(...path));
    throw new VigilError(
      `${file}:${at?.line ?? doc?.line ?? 1}: invalid configuration at ${path.join('.')}: ${issue?.message ?? 'invalid'}`,
      {
        hint: 'See docs/admission.md ("Configuration") for the accepted keys.',
        location: { file, ...(at === undefined ? {} : { line: at.line }) },
      },
    );
  }
  return { vigil, admission: admissionSettingsOf(result.data) };
}
