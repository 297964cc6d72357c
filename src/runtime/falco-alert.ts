import type { Severity } from '../core/severity.js';
import { isRecord } from '../k8s/guards.js';

/**
 * Falco's priorities, most severe first, as Falco writes them in JSON output
 * (falcosecurity/falco userspace/engine/falco_common.cpp `priority_names`).
 */
export const FALCO_PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

/** A value of `output_fields`: Falco writes strings, numbers, booleans and `null` for fields it could not resolve. */
export type FalcoFieldValue = string | number | boolean | null;

/**
 * One Falco alert in JSON form (`json_output: true`), as Falco writes it to stdout, a file, its
 * `http_output`, and as falcosidekick forwards it (`FalcoPayload`): `time` (ISO 8601 with
 * nanoseconds), `rule`, `priority`, `source`, `hostname`, and when configured `output`, `tags`
 * and `output_fields` (userspace/engine/formats.cpp `format_event`). falcosidekick adds `uuid`.
 */
export interface FalcoAlert {
  readonly uuid?: string;
  readonly rule: string;
  readonly priority: FalcoPriority;
  /** `time` as sent. */
  readonly time: string;
  /** `time` in milliseconds since the epoch. */
  readonly timeMs: number;
  /** Event source: `syscall`, `k8s_audit`, a plugin's source; `syscall` when absent (Falco before 0.31). */
  readonly source: string;
  readonly hostname?: string;
  /** The rendered output line (`json_include_output_property`), or `''` when Falco left it out. */
  readonly output: string;
  readonly tags: readonly string[];
  /** Fields the rule's output names (`k8s.ns.name`, `proc.cmdline`…), plus `evt.time`. */
  readonly outputFields: Readonly<Record<string, FalcoFieldValue>>;
}

/** Falco priority to Vigil severity: the top three are critical, then one step each; debug is info. */
const SEVERITY_OF: Readonly<Record<FalcoPriority, Severity>> = {
  Emergency: 'critical',
  Alert: 'critical',
  Critical: 'critical',
  Error: 'high',
  Warning: 'medium',
  Notice: 'low',
  Informational: 'info',
  Debug: 'info',
};

/** The Vigil severity a Falco priority stands for before any context is applied. */
export function severityOfPriority(priority: FalcoPriority): Severity {
  return SEVERITY_OF[priority];
}

/**
 * Parse a priority as Falco does: case-insensitive, and `Info` for `Informational` (falco_common.cpp
 * `parse_priority` accepts both for legacy reasons).
 */
export function parsePriority(value: unknown): FalcoPriority | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'info') return 'Informational';
  return FALCO_PRIORITIES.find((p) => p.toLowerCase() === lower);
}

// ISO 8601 with any number of fraction digits (Falco writes nanoseconds, Go's RFC3339Nano trims zeros).
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 time, or undefined. */
export function parseFalcoTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIME.exec(value);
  if (m === null) return undefined;
  const fraction = m[2] === undefined ? '' : `.${m[2].slice(0, 3)}`;
  const ms = Date.parse(`${m[1] as string}${fraction}${m[3] as string}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Why a value is not a Falco alert. */
export interface NotAnAlert {
  readonly error: string;
}

function fieldValue(value: unknown): FalcoFieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  // Some plugin fields are lists or objects: keep them as their JSON text.
  return JSON.stringify(value);
}

/**
 * Narrow an untrusted JSON value to a Falco alert, or say what is wrong with it. `rule`, a known
 * `priority` and an ISO 8601 `time` are required (Falco always writes them); the rest is optional
 * because Falco's `json_include_*_property` settings can leave it out.
 */
export function toFalcoAlert(value: unknown): FalcoAlert | NotAnAlert {
  if (!isRecord(value)) return { error: `expected a Falco alert object, got ${Array.isArray(value) ? 'an array' : typeof value}` };
  if (typeof value.rule !== 'string' || value.rule === '') return { error: 'no "rule": not a Falco alert (is json_output on?)' };
  const priority = parsePriority(value.priority);
  if (priority === undefined)
    return { error: `rule "${value.rule}": unknown priority ${value.priority === undefined ? '(none)' : JSON.stringify(value.priority)}` };
  const time = value.time;
  const timeMs = parseFalcoTime(time);
  if (typeof time !== 'string' || timeMs === undefined) return { error: `rule "${value.rule}": "time" is not an ISO 8601 time` };
  if (value.output !== undefined && typeof value.output !== 'string') return { error: `rule "${value.rule}": "output" is not a string` };
  if (value.output_fields !== undefined && value.output_fields !== null && !isRecord(value.output_fields))
    return { error: `rule "${value.rule}": "output_fields" is not an object` };
  if (value.tags !== undefined && value.tags !== null && !(Array.isArray(value.tags) && value.tags.every((t) => typeof t === 'string')))
    return { error: `rule "${value.rule}": "tags" is not a list of strings` };
  const outputFields: Record<string, FalcoFieldValue> = {};
  if (isRecord(value.output_fields)) for (const [k, v] of Object.entries(value.output_fields)) outputFields[k] = fieldValue(v);
  return {
    ...(typeof value.uuid === 'string' && value.uuid !== '' ? { uuid: value.uuid } : {}),
    rule: value.rule,
    priority,
    time,
    timeMs,
    source: typeof value.source === 'string' && value.source !== '' ? value.source : 'syscall',
    ...(typeof value.hostname === 'string' && value.hostname !== '' ? { hostname: value.hostname } : {}),
    output: typeof value.output === 'string' ? value.output : '',
    tags: Array.isArray(value.tags) ? value.tags : [],
    outputFields,
  };
}

/** A field as text, or undefined when Falco sent nothing, `null`, `<NA>` or an empty string (unresolved). */
export function fieldText(alert: FalcoAlert, name: string): string | undefined {
  const value = alert.outputFields[name];
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  // Falco renders fields it cannot resolve as <NA> in older versions and as null in JSON since 0.35.
  return text === '' || text === '<NA>' || text === 'N/A' ? undefined : text;
}

/** MITRE ATT&CK technique ids among the tags (`T1059`, `T1611`, `T1552.001`). */
export function mitreOf(tags: readonly string[]): string[] {
  return [...new Set(tags.filter((t) => /^T\d{4}(\.\d{3})?$/.test(t)))];
}
