export interface StreamItem {
  event: Record<string, unknown> & { auditID: string; user: { username: string } };
  lane: number;
}
export function auditStream(count: number, options?: { lanes?: number; users?: number; burstEvery?: number }): StreamItem[];
export function laneOf(user: string, lanes: number): number;
export function postStream(options: {
  stream: readonly StreamItem[];
  urls: readonly string[];
  token: string;
  lanes?: number;
  batch?: number;
  onProgress?: (posted: number) => void | Promise<void>;
}): Promise<{ posted: number; retries: number }>;
