export interface LoadSample {
  t: number;
  heapUsed: number;
  rss: number;
}
export interface LoadResult {
  sent: number;
  accepted: number;
  failed: number;
  retries: number;
  elapsed: number;
  samples: LoadSample[];
}
export function loadEvent(n: number): Record<string, unknown>;
export function runLoad(options: {
  url: string;
  token: string;
  ca?: string | Buffer;
  rate?: number;
  seconds?: number;
  batch?: number;
  concurrency?: number;
  sampleEveryMs?: number;
  onSample?: (sample: LoadSample) => void;
  retryWaitMs?: number;
}): Promise<LoadResult>;
