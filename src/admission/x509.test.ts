import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { certificateExpiry, createServingCertificate } from './x509.js';

const now = new Date('2030-06-01T12:00:00Z');
const pair = createServingCertificate({ hosts: ['vigil-admission.vigil.svc', '10.96.0.42', 'fd00::1'], days: 30, now });

describe('createServingCertificate', () => {
  it('makes a CA that may sign only end-entity certificates, and a serving certificate it signed', () => {
    const ca = new X509Certificate(pair.caCert);
    const cert = new X509Certificate(pair.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
    expect(cert.subject).toBe('CN=vigil-admission.vigil.svc');
    expect(cert.subjectAltName).toBe('DNS:vigil-admission.vigil.svc, IP Address:10.96.0.42, IP Address:FD00:0:0:0:0:0:0:1');
    expect(cert.checkHost('vigil-admission.vigil.svc')).toBe('vigil-admission.vigil.svc');
    expect(cert.checkIP('10.96.0.42')).toBe('10.96.0.42');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('is valid from five minutes before now for the given days (clock skew between nodes)', () => {
    const cert = new X509Certificate(pair.cert);
    expect(new Date(cert.validFrom).toISOString()).toBe('2030-06-01T11:55:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2030-07-01T11:55:00.000Z');
    expect(pair.notAfter.toISOString()).toBe('2030-07-01T11:55:00.000Z');
    expect(certificateExpiry(pair.cert)?.toISOString()).toBe('2030-07-01T11:55:00.000Z');
    expect(certificateExpiry('not a certificate')).toBeUndefined();
    // GeneralizedTime from 2050 on (RFC 5280 4.1.2.5).
    const late = createServingCertificate({ hosts: ['a.svc'], now: new Date('2049-12-01T00:00:00Z'), days: 365 });
    expect(new Date(new X509Certificate(late.cert).validTo).getUTCFullYear()).toBe(2050);
  });

  it('is accepted by OpenSSL: the chain verifies for server use, and the extensions are as meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-x509-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), pair.caCert);
      writeFileSync(join(dir, 'tls.crt'), pair.cert);
      const at = String(Math.floor(now.getTime() / 1000));
      const verified = execFileSync(
        'openssl',
        ['verify', '-attime', at, '-purpose', 'sslserver', '-x509_strict', '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')],
        { encoding: 'utf8' },
      );
      expect(verified.trim()).toBe(`${join(dir, 'tls.crt')}: OK`);
      const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'ca.crt')], { encoding: 'utf8' });
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      expect(text).toContain('ecdsa-with-SHA256');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses names that are neither DNS names nor IP addresses, and silly validity', () => {
    expect(() => createServingCertificate({ hosts: [] })).toThrow('at least one host');
    expect(() => createServingCertificate({ hosts: ['bad name'] })).toThrow('neither a DNS name nor an IP address');
    expect(() => createServingCertificate({ hosts: ['a.svc'], days: 0 })).toThrow('1 to 36500 days');
  });
});
