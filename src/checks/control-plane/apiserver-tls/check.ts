import { defineCheck } from '../../define-check.js';
import { flagOf, flagValue, invocationFor, listFlag, CONTROL_PLANE_KINDS } from '../component-flags.js';

/**
 * The cipher suites the CIS Kubernetes Benchmark (1.2.29) accepts: TLS 1.3 suites and ECDHE suites
 * with AES or ChaCha20. Anything else (RSA key exchange, 3DES, RC4, CBC with SHA-256) is weak.
 */
export const STRONG_CIPHER_SUITES: ReadonlySet<string> = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

/** `--tls-min-version` values below TLS 1.2 (crypto/tls names as kube-apiserver accepts them). */
const OLD_TLS = new Set(['VersionTLS10', 'VersionTLS11']);

export default defineCheck({
  id: 'control-plane/apiserver-tls',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server TLS is missing or weak',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.24', '1.2.29'], nsa: ['Control plane hardening', 'Encryption'] },
    description:
      'Every client — kubelets, controllers, people — reaches the cluster through the API server’s TLS endpoint. Without its own certificate and key it cannot serve TLS properly; with weak cipher suites or TLS below 1.2 the session can be downgraded or decrypted; an insecure port serves the API with no authentication at all.',
    remediation:
      'Give kube-apiserver `--tls-cert-file` and `--tls-private-key-file`, restrict `--tls-cipher-suites` to the strong suites, keep `--tls-min-version` at VersionTLS12 or above, and never set `--insecure-port` or `--secure-port=0`.',
  },
  messages: {
    noCert: 'kube-apiserver does not set --{{flag}}; give it the serving certificate and key for its TLS endpoint.',
    noCiphers: 'kube-apiserver does not set --tls-cipher-suites, so Go’s defaults apply; restrict it to strong suites (CIS 1.2.29).',
    weakCiphers: 'kube-apiserver --tls-cipher-suites allows weak suites: {{weak}}; remove them.',
    oldTls: 'kube-apiserver accepts {{version}}; set --tls-min-version=VersionTLS12 or VersionTLS13.',
    insecurePort:
      'kube-apiserver serves an unauthenticated, unencrypted port (--insecure-port={{port}}); set it to 0 (or upgrade: the flag is gone since 1.24).',
    securePortOff: 'kube-apiserver sets --secure-port=0, turning its TLS endpoint off; serve on a TLS port.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    for (const flag of ['tls-cert-file', 'tls-private-key-file']) {
      if (flagValue(apiserver, flag) === undefined) {
        ctx.report({
          messageId: 'noCert',
          pointer: apiserver.missingPointer,
          data: { flag },
          frameworks: { cis: ['1.2.24'], nsa: ['Encryption'] },
        });
      }
    }
    const ciphers = listFlag(apiserver, 'tls-cipher-suites');
    if (ciphers.items.length === 0) {
      ctx.report({ messageId: 'noCiphers', pointer: apiserver.missingPointer, severity: 'medium', frameworks: { cis: ['1.2.29'] } });
    } else {
      const weak = ciphers.items.filter((c) => !STRONG_CIPHER_SUITES.has(c));
      if (weak.length > 0) {
        ctx.report({
          messageId: 'weakCiphers',
          pointer: ciphers.pointer ?? apiserver.missingPointer,
          data: { weak: weak.join(', ') },
          severity: 'medium',
          frameworks: { cis: ['1.2.29'], nsa: ['Encryption'] },
        });
      }
    }
    const min = flagOf(apiserver, 'tls-min-version');
    if (min?.value !== undefined && OLD_TLS.has(min.value)) {
      ctx.report({ messageId: 'oldTls', pointer: min.pointer, data: { version: min.value }, frameworks: { nsa: ['Encryption'] } });
    }
    const insecure = flagOf(apiserver, 'insecure-port');
    if (insecure?.value !== undefined && insecure.value.trim() !== '0') {
      ctx.report({
        messageId: 'insecurePort',
        pointer: insecure.pointer,
        data: { port: insecure.value },
        severity: 'critical',
        frameworks: { nsa: ['Control plane hardening'] },
      });
    }
    const secure = flagOf(apiserver, 'secure-port');
    if (secure?.value?.trim() === '0') {
      ctx.report({ messageId: 'securePortOff', pointer: secure.pointer, frameworks: { nsa: ['Control plane hardening'] } });
    }
  },
});
