export interface FalcoLoadSample {
  t: number;
  heapUsed: number;
  rss: number;
}
export interface FalcoLoadResult {
  sent: number;
  accepted: number;
  refused: number;
  errors: number;
  elapsed: number;
  samples: FalcoLoadSample[];
}
export function falcoAlert(n: number): Record<string, unknown>;
export function runFalcoLoad(options: {
  url: string;
  auth: { bearer: string } | { basic: string };
  ca?: string | Buffer;
  rate?: number;
  seconds?: number;
  concurrency?: number;
  sampleEveryMs?: number;
  onSample?: (sample: FalcoLoadSample) => void;
}): Promise<FalcoLoadResult>;
