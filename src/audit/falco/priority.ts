import type { Severity } from '../../core/severity.js';

/**
 * Falco's priorities, most severe first, spelled as Falco prints them in alerts
 * (`falco_common::format_priority`): the syslog levels.
 */
export const FALCO_PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

/**
 * A rule's `priority:` as Falco reads it (`falco_common::parse_priority`): any letter case, and
 * `info` as well as `informational`. Undefined when it is none of them.
 */
export function parsePriority(text: string): FalcoPriority | undefined {
  const lower = text.toLowerCase();
  if (lower === 'info') return 'Informational';
  return FALCO_PRIORITIES.find((p) => p.toLowerCase() === lower);
}

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

/**
 * The Vigil severity of a Falco priority: EMERGENCY, ALERT and CRITICAL are critical, ERROR is high,
 * WARNING medium, NOTICE low, INFORMATIONAL and DEBUG info. `--fail-on` and the sinks work on it.
 */
export function severityOfPriority(priority: FalcoPriority): Severity {
  return SEVERITY_OF[priority];
}

const PRIORITY_OF: Readonly<Record<Severity, FalcoPriority>> = {
  critical: 'Critical',
  high: 'Error',
  medium: 'Warning',
  low: 'Notice',
  info: 'Informational',
};

/** The Falco priority that a Vigil severity corresponds to (for alerts of Vigil's own rules). */
export function priorityOfSeverity(severity: Severity): FalcoPriority {
  return PRIORITY_OF[severity];
}
