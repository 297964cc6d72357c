import { JsonReceiver, type JsonReceiverOptions, type ParsedBatch } from '../audit/receiver/receiver.js';
import type { InputProblem } from '../core/errors.js';
import type { FalcoAlert } from './falco-alert.js';
import { falcoItemsOfValue, type FalcoReadItem } from './read-alerts.js';

/** Options of the Falco receiver: the audit receiver's, without the parser. */
export type FalcoReceiverOptions = Omit<JsonReceiverOptions<FalcoAlert>, 'parse' | 'expected' | 'basicAuth' | 'gatherBatches'>;

/** The alerts of one request body: one alert (Falco's http_output, falcosidekick's webhook) or an array. */
export function parseFalcoBatch(value: unknown, batchNumber: number): ParsedBatch<FalcoAlert> {
  const read: FalcoReadItem[] = [];
  falcoItemsOfValue(value, 'http', batchNumber, read);
  const items: FalcoAlert[] = [];
  const problems: InputProblem[] = [];
  for (const item of read) {
    if (item.kind === 'alert') items.push(item.alert);
    else problems.push(item.problem);
  }
  return { items, problems };
}

/**
 * An HTTP(S) endpoint for Falco's `http_output` and falcosidekick's webhook output: each POST carries
 * one JSON alert. Authentication and the loopback rule are the audit receiver's: a bearer token
 * (falcosidekick `webhook.customHeaders`), a client certificate (Falco `http_output.mtls`), or the
 * token as the password of HTTP Basic credentials, which is what Falco's libcurl sends for a URL
 * `https://vigil:TOKEN@host/…` (Falco's http_output cannot set headers). Falco does not retry a
 * refused POST (outputs_http.cpp retries only timeouts), so a full queue holds the request for up to
 * 30 s by default before answering 429, and every 429 is counted.
 */
export class FalcoReceiver extends JsonReceiver<FalcoAlert> {
  constructor(options: FalcoReceiverOptions) {
    super({
      path: '/v1/falco',
      backpressureWaitMs: 30_000,
      ...options,
      basicAuth: true,
      gatherBatches: true,
      parse: parseFalcoBatch,
      expected: 'a Falco JSON alert (json_output: true)',
    });
  }
}
