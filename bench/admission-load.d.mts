export interface AdmissionLoadEntry {
  path: string;
  review: Record<string, unknown>;
  allowed?: boolean;
}
export interface AdmissionLoadResult {
  sent: number;
  answered: number;
  failed: number;
  wrong: number;
  failures: string[];
  outcomes: { allowed: number; denied: number; patched: number; warned: number };
  elapsed: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}
export function quantile(sorted: readonly number[], q: number): number;
export function runAdmissionLoad(options: {
  url: string;
  ca: string | Buffer;
  mix: readonly AdmissionLoadEntry[];
  rate: number;
  seconds: number;
  maxSockets?: number;
  warmup?: number;
  /** Awaited after the warm-up, just before the measured run starts. */
  onMeasuring?: () => unknown;
}): Promise<AdmissionLoadResult>;
