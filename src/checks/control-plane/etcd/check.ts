import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, flagValue, invocationFor, invocationsIn, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/etcd',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  reads: ['Pod', 'vigil.dev/ControlPlaneFlags'],
  // The API server's static Pod, for its client CA.
  readsNamespaces: { Pod: ['kube-system'] },
  meta: {
    title: 'etcd does not require mutual TLS',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7'], nsa: ['Etcd', 'Encryption'], mitre: ['T1552.007'] },
    description:
      'etcd stores every object of the cluster, Secrets included, and trusts whoever it lets connect. It must serve clients and peers over TLS with real certificates (not self-signed auto-TLS), require client certificates from both, and trust a CA of its own, so that a certificate issued for the Kubernetes API is not also a key to etcd.',
    remediation:
      'Run etcd with `--cert-file`/`--key-file`, `--client-cert-auth=true`, `--peer-cert-file`/`--peer-key-file`, `--peer-client-cert-auth=true`, without `--auto-tls` or `--peer-auto-tls`, and a `--trusted-ca-file` different from the API server’s `--client-ca-file`.',
  },
  messages: {
    missing: 'etcd does not set --{{flag}} ({{what}}); set it.',
    notTrue: 'etcd {{how}}, so it accepts {{who}} without a client certificate; set --{{flag}}=true.',
    autoTls: 'etcd sets --{{flag}}=true, serving {{who}} with a self-signed certificate nobody can verify; use real certificates.',
    sharedCa:
      'etcd trusts the same CA as the API server’s client certificates ({{file}}): any client certificate of the cluster is also accepted by etcd. Give etcd its own CA.',
  },
  run(subject, ctx) {
    const etcd = invocationFor('etcd', subject, ctx);
    if (etcd === undefined) return;
    const required: readonly [string, string, string][] = [
      ['cert-file', 'the certificate etcd serves clients with', '2.1'],
      ['key-file', 'the key etcd serves clients with', '2.1'],
      ['peer-cert-file', 'the certificate etcd members use with each other', '2.4'],
      ['peer-key-file', 'the key etcd members use with each other', '2.4'],
    ];
    for (const [flag, what, cis] of required) {
      if (flagValue(etcd, flag) === undefined)
        ctx.report({ messageId: 'missing', pointer: etcd.missingPointer, data: { flag, what }, frameworks: { cis: [cis] } });
    }
    const mutual: readonly [string, string, string][] = [
      ['client-cert-auth', 'clients', '2.2'],
      ['peer-client-cert-auth', 'peers', '2.5'],
    ];
    for (const [flag, who, cis] of mutual) {
      if (boolFlag(etcd, flag, false) === true) continue;
      const set = flagOf(etcd, flag);
      ctx.report({
        messageId: 'notTrue',
        pointer: set?.pointer ?? etcd.missingPointer,
        data: { flag, who, how: set === undefined ? `leaves --${flag} at its default (false)` : `sets --${flag}=${set.value ?? ''}` },
        frameworks: { cis: [cis] },
      });
    }
    const auto: readonly [string, string, string][] = [
      ['auto-tls', 'clients', '2.3'],
      ['peer-auto-tls', 'peers', '2.6'],
    ];
    for (const [flag, who, cis] of auto) {
      if (boolFlag(etcd, flag, false) === true) {
        ctx.report({
          messageId: 'autoTls',
          pointer: flagOf(etcd, flag)?.pointer ?? etcd.missingPointer,
          data: { flag, who },
          frameworks: { cis: [cis] },
        });
      }
    }
    // CIS 2.7: a CA shared with the API server's client certificates lets every cluster client certificate into etcd.
    const trusted = flagOf(etcd, 'trusted-ca-file');
    const trustedFile = trusted?.value?.trim();
    if (trusted === undefined || trustedFile === undefined || trustedFile === '') return;
    const candidates = [
      ...subject.inventory.ofKind('Pod', { group: '', namespace: 'kube-system' }),
      ...subject.inventory.ofKind('ControlPlaneFlags', { group: 'vigil.dev' }),
    ];
    const sharing = invocationsIn(candidates, 'kube-apiserver').filter(
      ({ invocation }) => flagOf(invocation, 'client-ca-file')?.value?.trim() === trustedFile,
    );
    if (sharing.length === 0) return;
    const data = { file: trustedFile };
    ctx.report({ messageId: 'sharedCa', pointer: trusted.pointer, data, frameworks: { cis: ['2.7'] } });
    for (const { entry, invocation } of sharing) {
      const pointer = flagOf(invocation, 'client-ca-file')?.pointer ?? invocation.missingPointer;
      ctx.report({ messageId: 'sharedCa', pointer, data, frameworks: { cis: ['2.7'] }, resource: entry });
    }
  },
});
