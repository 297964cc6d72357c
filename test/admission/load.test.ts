// A short run of the bench's load generator against the webhook on loopback: every review answered,
// each with the right verdict, while requests overlap. Speed itself is measured only in
// bench/admission.bench.mjs.
import { describe, expect, it } from 'vitest';

import { runAdmissionLoad } from '../../bench/admission-load.mjs';
import { AdmissionHandler } from '../../src/admission/handler.js';
import { startAdmissionServer } from '../../src/admission/server.js';
import { fixtureReview } from '../../src/admission/test-support/reviews.js';
import { createServingCertificate } from '../../src/admission/x509.js';

describe('the webhook under concurrent load', () => {
  it('answers every review correctly', async () => {
    const pair = createServingCertificate({ hosts: ['127.0.0.1'] });
    const server = await startAdmissionServer({
      handler: new AdmissionHandler(),
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pair.cert, key: pair.key },
    });
    try {
      const result = await runAdmissionLoad({
        url: server.url,
        ca: pair.caCert,
        mix: [
          { path: '/validate', review: fixtureReview('pod-create-privileged'), allowed: false },
          { path: '/validate', review: fixtureReview('deployment-create'), allowed: true },
          { path: '/mutate', review: fixtureReview('pod-create-by-replicaset'), allowed: true },
          { path: '/validate/restricted', review: fixtureReview('deployment-create'), allowed: false },
        ],
        rate: 100,
        seconds: 2,
        warmup: 16,
      });
      expect(result.failures).toEqual([]);
      expect({ answered: result.answered, failed: result.failed, wrong: result.wrong }).toEqual({ answered: 200, failed: 0, wrong: 0 });
      expect(result.outcomes).toEqual({ allowed: 0, denied: 100, patched: 50, warned: 50 });
    } finally {
      await server.close();
    }
  });
});
