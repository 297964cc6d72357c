import { defineCheck } from '../../define-check.js';
import { flagValue, invocationFor, listFlag, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-etcd-tls',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server talks to etcd without mutual TLS',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.23', '1.2.26'], nsa: ['Etcd', 'Encryption'], mitre: ['T1552.007'] },
    description:
      'etcd holds every object of the cluster, Secrets included. The API server must present a client certificate to etcd (so etcd can refuse everyone else) and verify etcd’s certificate (so it does not write the cluster’s state to an impostor), over TLS.',
    remediation: 'Start kube-apiserver with `--etcd-certfile`, `--etcd-keyfile` and `--etcd-cafile`, and `https://` etcd servers.',
  },
  messages: {
    noClientCert: 'kube-apiserver does not set --{{flag}}, so it does not authenticate to etcd with a client certificate; set it.',
    noCa: 'kube-apiserver does not set --etcd-cafile, so it does not verify etcd’s certificate; set it.',
    plaintext: 'kube-apiserver reaches etcd over plain HTTP ({{server}}); use https:// endpoints.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    for (const flag of ['etcd-certfile', 'etcd-keyfile']) {
      if (flagValue(apiserver, flag) === undefined) {
        ctx.report({
          messageId: 'noClientCert',
          pointer: apiserver.missingPointer,
          data: { flag },
          frameworks: { cis: ['1.2.23'], nsa: ['Etcd'] },
        });
      }
    }
    if (flagValue(apiserver, 'etcd-cafile') === undefined) {
      ctx.report({ messageId: 'noCa', pointer: apiserver.missingPointer, frameworks: { cis: ['1.2.26'], nsa: ['Etcd'] } });
    }
    const servers = listFlag(apiserver, 'etcd-servers');
    const plain = servers.items.find((s) => s.toLowerCase().startsWith('http://'));
    if (plain !== undefined) {
      ctx.report({
        messageId: 'plaintext',
        pointer: servers.pointer ?? apiserver.missingPointer,
        data: { server: plain },
        severity: 'critical',
        frameworks: { nsa: ['Etcd', 'Encryption'] },
      });
    }
  },
});
