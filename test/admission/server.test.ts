// The webhook over the wire: a real HTTPS server on loopback, a client that verifies the serving
// certificate as the API server does (against the caBundle), and AdmissionReview v1 payloads shaped
// as the API server sends them (test/fixtures/admission) — allow, deny, warn and patch; dry runs,
// updates and subresources; bodies that are not AdmissionReviews; certificate rotation; metrics.
import { connect } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AdmissionHandler } from '../../src/admission/handler.js';
import { AdmissionMetrics } from '../../src/admission/metrics.js';
import type { AdmissionReviewResponse } from '../../src/admission/review.js';
import { startAdmissionServer, type AdmissionServer } from '../../src/admission/server.js';
import { admissionReview, applyPatch, fixtureReview, patchOf } from '../../src/admission/test-support/reviews.js';
import { createServingCertificate } from '../../src/admission/x509.js';
import { makeTestPki } from '../audit/tls-support.js';
import { httpsCall, type HttpsAnswer } from './https-client.js';

const pair = createServingCertificate({ hosts: ['localhost', '127.0.0.1'] });
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let server: AdmissionServer;
const decisions: string[] = [];

beforeAll(async () => {
  server = await startAdmissionServer({
    handler: new AdmissionHandler({ ownNamespace: 'vigil' }),
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pair.cert, key: pair.key },
    maxBodyBytes: 1024 * 1024,
    metrics: new AdmissionMetrics({ processMetrics: false }),
    metricsToken: METRICS_TOKEN,
    requestTimeoutMs: 1000,
    onDecision: (d) => decisions.push(`${d.webhook}:${d.outcome}`),
  });
});

afterAll(async () => {
  await server.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return httpsCall({
    url: `${server.url}${path}`,
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    headers,
    ca: pair.caCert,
  });
}

/** The answer must be an AdmissionReview v1 whatever was sent. */
function reviewOf(answer: HttpsAnswer): AdmissionReviewResponse['response'] {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const review = answer.json as AdmissionReviewResponse;
  expect(review.apiVersion).toBe('admission.k8s.io/v1');
  expect(review.kind).toBe('AdmissionReview');
  expect(typeof review.response.uid).toBe('string');
  expect(typeof review.response.allowed).toBe('boolean');
  return review.response;
}

function uidOf(review: Record<string, unknown>): string {
  return (review.request as { uid: string }).uid;
}

describe('TLS', () => {
  it('serves the generated certificate, which verifies against the generated CA for 127.0.0.1 and localhost', async () => {
    const answer = await httpsCall({ url: `${server.url}/healthz`, method: 'GET', ca: pair.caCert });
    expect(answer.status).toBe(200);
    expect(answer.peer.subject.CN).toBe('localhost');
    expect(answer.peer.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    const byName = await httpsCall({ url: `${server.url.replace('127.0.0.1', 'localhost')}/healthz`, method: 'GET', ca: pair.caCert });
    expect(byName.status).toBe(200);
  });

  it('is refused by a client that trusts another CA', async () => {
    const other = createServingCertificate({ hosts: ['127.0.0.1'] });
    await expect(httpsCall({ url: `${server.url}/healthz`, method: 'GET', ca: other.caCert })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('does not speak TLS below 1.2', async () => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: pair.caCert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    socket.destroy();
    expect(error.message).toMatch(/protocol|version|alert/i);
  });
});

describe('AdmissionReview v1 over HTTPS', () => {
  it('denies a privileged pod with 403 Forbidden, naming the check, the field and the fix', async () => {
    const review = fixtureReview('pod-create-privileged');
    const answer = await post('/validate', review);
    expect(answer.status).toBe(200);
    const r = reviewOf(answer);
    expect(r.uid).toBe(uidOf(review));
    expect(r.allowed).toBe(false);
    expect(r.status).toMatchObject({ status: 'Failure', code: 403, reason: 'Forbidden' });
    expect(r.status?.message).toContain('[pod-security/baseline-privileged] spec.containers[0].securityContext.privileged:');
    expect(r.status?.message).toContain('Fix: ');
    expect(r.auditAnnotations?.['denied']).toContain('pod-security/baseline-privileged@');
  });

  it('gives a dry run the same denial', async () => {
    const real = reviewOf(await post('/validate', fixtureReview('pod-create-privileged')));
    const dry = reviewOf(await post('/validate', fixtureReview('pod-create-privileged-dry-run')));
    expect(dry.allowed).toBe(false);
    expect(dry.status).toEqual(real.status);
  });

  it('allows a Deployment with warnings (what kubectl prints) for what restricted forbids', async () => {
    const r = reviewOf(await post('/validate', fixtureReview('deployment-create')));
    expect(r.allowed).toBe(true);
    expect(r.status).toBeUndefined();
    expect(r.warnings?.length).toBe(4);
    for (const w of r.warnings ?? []) expect(w).toMatch(/^\[pod-security\/restricted-[a-z-]+\] spec\.template\.spec\./);
  });

  it('allows a compliant pod with nothing to say', async () => {
    const compliant = admissionReview({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ok', namespace: 'shop' },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'app',
            image: `ghcr.io/acme/app:1.0@sha256:${'b'.repeat(64)}`,
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '1', memory: '64Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    });
    const answer = await post('/validate', compliant);
    expect(answer.json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: uidOf(compliant), allowed: true },
    });
  });

  it('judges updates by what they change: a new template is denied, scaling an old violator is not', async () => {
    expect(reviewOf(await post('/validate', fixtureReview('deployment-update-template'))).allowed).toBe(false);
    expect(reviewOf(await post('/validate', fixtureReview('deployment-update-replicas'))).allowed).toBe(true);
    expect(reviewOf(await post('/validate', fixtureReview('deployment-update-finalizer'))).allowed).toBe(true);
  });

  it.each([
    ['pod-exec', true],
    ['pod-status-update', true],
    ['deployment-scale', true],
    ['pod-ephemeral-debug', false],
  ])('subresource request %s: allowed=%s', async (name, allowed) => {
    const review = fixtureReview(name);
    const r = reviewOf(await post('/validate', review));
    expect(r.uid).toBe(uidOf(review));
    expect(r.allowed).toBe(allowed);
  });

  it('routes the vigil.dev/enforce label by path: restricted denies what the default only warns about', async () => {
    const review = fixtureReview('deployment-create');
    expect(reviewOf(await post('/validate', review)).allowed).toBe(true);
    const strict = reviewOf(await post('/validate/restricted', review));
    expect(strict.allowed).toBe(false);
    expect(strict.status?.message).toContain('enforce restricted (from the namespace label vigil.dev/enforce)');
    const loose = reviewOf(await post('/validate/privileged', fixtureReview('pod-create-privileged')));
    expect(loose.allowed).toBe(true);
    const invalid = reviewOf(await post('/validate/invalid-label', review));
    expect(invalid.allowed).toBe(false);
  });

  it('never judges kube-system', async () => {
    const r = reviewOf(await post('/validate', fixtureReview('pod-create-kube-system')));
    expect(r.allowed).toBe(true);
    expect(r.status).toBeUndefined();
  });

  it('patches a pod with safe defaults; the API server applying the patch gets a pod restricted admits', async () => {
    const review = fixtureReview('pod-create-by-replicaset');
    const r = reviewOf(await post('/mutate', review));
    expect(r.allowed).toBe(true);
    expect(r.patchType).toBe('JSONPatch');
    const patch = patchOf(r);
    expect(patch.map((p) => [p.op, p.path])).toEqual([
      ['add', '/spec/securityContext/seccompProfile'],
      // The container already has a securityContext: each missing field is added on its own.
      ['add', '/spec/containers/0/securityContext/allowPrivilegeEscalation'],
      ['add', '/spec/containers/0/securityContext/capabilities'],
      ['add', '/spec/containers/0/securityContext/runAsNonRoot'],
    ]);
    expect(r.warnings?.[0]).toMatch(/^Vigil set safe defaults on Pod shop\//);
    const object = (review.request as { object: Record<string, unknown> }).object;
    const patched = applyPatch(object, patch);
    const after = reviewOf(await post('/validate/restricted', admissionReview(patched, { namespace: 'shop' })));
    expect(after.allowed).toBe(true);
  });
});

describe('requests that are not AdmissionReviews get an AdmissionReview refusal, never a crash or a hang', () => {
  it('malformed JSON: 400 BadRequest', async () => {
    const answer = await post('/validate', '{"apiVersion": "admission.k8s.io/v1", "kind": ');
    expect(answer.status).toBe(400);
    expect(reviewOf(answer)).toMatchObject({ uid: '', allowed: false, status: { code: 400, reason: 'BadRequest' } });
  });

  it('a v1beta1 review or another kind: 400, the uid echoed, the fix named', async () => {
    const v1beta1 = { ...fixtureReview('pod-create-privileged'), apiVersion: 'admission.k8s.io/v1beta1' };
    const r = reviewOf(await post('/validate', v1beta1));
    expect(r.uid).toBe(uidOf(v1beta1));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('admissionReviewVersions: ["v1"]');
    const wrongKind = reviewOf(await post('/mutate', { apiVersion: 'v1', kind: 'Pod', request: { uid: 'x' } }));
    expect(wrongKind.status?.message).toBe('expected kind AdmissionReview, got "Pod"');
  });

  it('a body larger than the limit: 413 RequestEntityTooLarge', async () => {
    const review = fixtureReview('deployment-create');
    (review.request as { object: { metadata: Record<string, unknown> } }).object.metadata.annotations = {
      big: 'x'.repeat(2 * 1024 * 1024),
    };
    const answer = await post('/validate', review);
    expect(answer.status).toBe(413);
    expect(reviewOf(answer).status).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
  });

  it('a large object under the limit is judged', async () => {
    const review = fixtureReview('pod-create-privileged');
    const object = (review.request as { object: { spec: { containers: Record<string, unknown>[] } } }).object;
    const container = object.spec.containers[0] ?? {};
    container.env = Array.from({ length: 5000 }, (_, i) => ({ name: `VAR_${i}`, value: 'v'.repeat(100) }));
    const answer = await post('/validate', review);
    expect(answer.status).toBe(200);
    expect(reviewOf(answer).allowed).toBe(false);
  });

  it('the wrong media type: 415', async () => {
    const answer = await post('/validate', JSON.stringify(fixtureReview('deployment-create')), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(reviewOf(answer).status?.reason).toBe('UnsupportedMediaType');
  });

  it('an unknown path or label route: 404 as an AdmissionReview', async () => {
    const unknown = await post('/validate/strictest', fixtureReview('deployment-create'));
    expect(unknown.status).toBe(404);
    expect(reviewOf(unknown).status?.message).toContain('expected privileged, baseline, restricted or invalid-label');
    expect((await post('/nowhere', {})).status).toBe(404);
  });

  it('a request whose body never completes is cut off, and others are answered meanwhile', async () => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: pair.caCert, servername: 'localhost' });
    await new Promise<void>((resolve) =>
      socket.once('secureConnect', () => {
        resolve();
      }),
    );
    socket.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiV');
    const closed = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString();
      });
      socket.once('close', () => {
        resolve(text);
      });
    });
    // Answered while the stalled request waits.
    expect(reviewOf(await post('/validate', fixtureReview('deployment-create'))).allowed).toBe(true);
    const text = await closed;
    expect(text === '' || text.startsWith('HTTP/1.1 408')).toBe(true);
  });
});

describe('metrics', () => {
  it('needs the bearer token, and counts decisions by webhook and outcome', async () => {
    const url = `${server.url}/metrics`;
    expect((await httpsCall({ url, method: 'GET', ca: pair.caCert })).status).toBe(401);
    expect((await httpsCall({ url, method: 'GET', ca: pair.caCert, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const answer = await httpsCall({ url, method: 'GET', ca: pair.caCert, headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/vigil_admission_requests_total\{webhook="validate",outcome="denied",dry_run="true"\} [1-9]/);
    expect(answer.text).toMatch(/vigil_admission_requests_total\{webhook="mutate",outcome="mutated",dry_run="false"\} [1-9]/);
    expect(answer.text).toMatch(/vigil_admission_requests_total\{webhook="validate",outcome="invalid",dry_run="false"\} [1-9]/);
    expect(answer.text).toMatch(/vigil_admission_certificate_expiry_timestamp_seconds \d+/);
    // Dry runs are not counted as findings.
    expect(answer.text).toMatch(/vigil_admission_findings_total\{check="pod-security\/baseline-privileged",action="deny"\} [1-9]/);
    expect(decisions).toContain('validate:denied');
  });
});

describe('certificate rotation and client certificates', () => {
  it('serves a new certificate from the next handshake on, and refuses a mismatched pair', async () => {
    const own = await startAdmissionServer({
      handler: new AdmissionHandler(),
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pair.cert, key: pair.key },
    });
    try {
      const renewed = createServingCertificate({ hosts: ['127.0.0.1'] });
      expect(() => {
        own.setCertificate(renewed.cert, pair.key);
      }).toThrow();
      own.setCertificate(renewed.cert, renewed.key);
      const answer = await httpsCall({ url: `${own.url}/healthz`, method: 'GET', ca: renewed.caCert });
      expect(answer.status).toBe(200);
      await expect(httpsCall({ url: `${own.url}/healthz`, method: 'GET', ca: pair.caCert })).rejects.toThrow();
    } finally {
      await own.close();
    }
  });

  it('with a client CA, answers reviews only to callers presenting a certificate it signed; probes still work', async () => {
    const pki = makeTestPki();
    const own = await startAdmissionServer({
      handler: new AdmissionHandler(),
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.ca },
    });
    try {
      const body = JSON.stringify(fixtureReview('pod-create-privileged'));
      const anonymous = await httpsCall({ url: `${own.url}/validate`, body, ca: pki.ca });
      expect(anonymous.status).toBe(401);
      expect(reviewOf(anonymous).allowed).toBe(false);
      const apiServer = await httpsCall({ url: `${own.url}/validate`, body, ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
      expect(apiServer.status).toBe(200);
      expect(reviewOf(apiServer).status?.code).toBe(403);
      expect((await httpsCall({ url: `${own.url}/readyz`, method: 'GET', ca: pki.ca })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('reports not ready once told to stop, while still answering reviews', async () => {
    const own = await startAdmissionServer({
      handler: new AdmissionHandler(),
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pair.cert, key: pair.key },
    });
    try {
      own.markNotReady();
      expect((await httpsCall({ url: `${own.url}/readyz`, method: 'GET', ca: pair.caCert })).status).toBe(503);
      const r = await httpsCall({ url: `${own.url}/validate`, body: JSON.stringify(fixtureReview('deployment-create')), ca: pair.caCert });
      expect(reviewOf(r).allowed).toBe(true);
    } finally {
      await own.close();
    }
  });
});
