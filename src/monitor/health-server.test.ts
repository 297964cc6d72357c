import { describe, expect, it } from 'vitest';

import { selfSignedCert } from '../../test/support/self-signed-cert.js';
import { fingerprintOf, type Finding } from '../core/finding.js';
import { assertSafeListen, buildHealthApp, isLoopback, startHealthServer, tokenMatches } from './health-server.js';
import { MonitorMetrics } from './metrics.js';

function finding(namespace: string | undefined, severity: Finding['severity'], suppressed = false): Finding {
  const resource = { apiVersion: 'v1', kind: 'Pod', name: 'p', ...(namespace === undefined ? {} : { namespace }) };
  return {
    checkId: 'images/latest-tag',
    messageId: 'latest',
    severity,
    area: 'images',
    title: 't',
    message: 'm',
    resource,
    location: { path: '', pointer: '' },
    remediation: 'r',
    frameworks: {},
    fingerprint: fingerprintOf('images/latest-tag', resource, `/${severity}/${namespace ?? ''}`),
    ...(suppressed ? { suppression: { kind: 'config', reason: 'ok', source: 'x' } } : {}),
  };
}

describe('binding rules', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.2.1', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['10.0.0.5', false],
    ['::', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('needs TLS and a token beyond loopback', () => {
    expect(() => {
      assertSafeListen({ host: '0.0.0.0', port: 1 });
    }).toThrow(/without TLS and a token/);
    expect(() => {
      assertSafeListen({ host: '0.0.0.0', port: 1, token: 't' });
    }).toThrow(/without TLS and a token/);
    expect(() => {
      assertSafeListen({ host: '0.0.0.0', port: 1, token: 't', tls: { key: 'k', cert: 'c' } });
    }).not.toThrow();
    expect(() => {
      assertSafeListen({ host: '127.0.0.1', port: 1 });
    }).not.toThrow();
  });

  it('compares bearer tokens exactly', () => {
    expect(tokenMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(tokenMatches('Basic s3cret', 's3cret')).toBe(false);
    expect(tokenMatches(undefined, 's3cret')).toBe(false);
  });
});

describe('endpoints (in-process)', () => {
  it('serves metrics with vigil_ names and the findings gauge by severity, area and namespace', async () => {
    const metrics = new MonitorMetrics({ processMetrics: false });
    metrics.setFindings([finding('shop', 'high'), finding('shop', 'medium'), finding(undefined, 'high'), finding('ops', 'critical', true)]);
    const app = buildHealthApp({ metrics, readiness: () => ({ ready: true, reason: 'ok' }) });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('vigil_findings{severity="high",area="images",namespace="shop"} 1');
    expect(res.body).toContain('vigil_findings{severity="high",area="images",namespace=""} 1');
    expect(res.body).not.toContain('severity="critical"');
    expect(res.body).toContain('vigil_findings_suppressed 1');
    const names = [...res.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string] as const);
    expect(names.length).toBeGreaterThan(10);
    for (const [name, type] of names) {
      expect(name).toMatch(/^vigil_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type !== 'counter') expect(name).not.toMatch(/_total$/);
    }
    await app.close();
  });

  it('says not ready, with the reason, until the first evaluation is stored', async () => {
    let ready = false;
    const app = buildHealthApp({
      metrics: new MonitorMetrics({ processMetrics: false }),
      readiness: () => ({ ready, reason: 'waiting for pods' }),
    });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const notYet = await app.inject('/readyz');
    expect([notYet.statusCode, notYet.body]).toEqual([503, 'not ready: waiting for pods\n']);
    ready = true;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    await app.close();
  });

  it('requires the token on /metrics when one is set', async () => {
    const app = buildHealthApp({
      metrics: new MonitorMetrics({ processMetrics: false }),
      readiness: () => ({ ready: true, reason: 'ok' }),
      token: 'tok',
    });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer tok' } })).statusCode).toBe(200);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });
});

describe('over the wire', () => {
  it('serves HTTPS with a token on a non-loopback bind address', async () => {
    const tls = selfSignedCert();
    const server = await startHealthServer(
      { metrics: new MonitorMetrics({ processMetrics: false }), readiness: () => ({ ready: true, reason: 'ok' }) },
      { host: '0.0.0.0', port: 0, tls, token: 'wire-token' },
    );
    try {
      expect(server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(server.url).port;
      const { request } = await import('node:https');
      const status = (auth?: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/metrics',
              ca: tls.cert,
              servername: 'localhost',
              headers: auth === undefined ? {} : { authorization: auth },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await status()).toBe(401);
      expect(await status('Bearer wire-token')).toBe(200);
    } finally {
      await server.close();
    }
  });
});
