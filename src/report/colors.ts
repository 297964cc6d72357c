import type { Severity } from '../core/severity.js';

/** Terminal styling that is a no-op when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  severity(severity: Severity, text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const SEVERITY_CODES: Readonly<Record<Severity, string>> = {
  critical: '1;97;41',
  high: '1;31',
  medium: '33',
  low: '36',
  info: '2',
};

export function createStyle(enabled: boolean): Style {
  const wrap = (code: string, text: string): string => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    enabled,
    bold: (t) => wrap('1', t),
    dim: (t) => wrap('2', t),
    severity: (s, t) => wrap(SEVERITY_CODES[s], t),
    red: (t) => wrap('31', t),
    yellow: (t) => wrap('33', t),
    green: (t) => wrap('32', t),
  };
}

/**
 * Colour only on a terminal, honouring the NO_COLOR and FORCE_COLOR conventions, so that output
 * piped into files and CI logs stays plain.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
