import { defineCheck } from '../../define-check.js';
import { flagValue, invocationFor, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-kubelet-tls',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server does not authenticate to kubelets, or does not verify them',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.4', '1.2.5'], nsa: ['Control plane hardening', 'Encryption'] },
    description:
      'The API server connects to every kubelet for `exec`, `logs`, `port-forward` and metrics. Without a client certificate kubelets cannot authenticate it (and must allow anonymous requests); without the kubelets’ CA it cannot tell a real kubelet from an impostor, and streams commands and logs to whoever answers.',
    remediation:
      'Start kube-apiserver with `--kubelet-client-certificate`, `--kubelet-client-key` and `--kubelet-certificate-authority` (kubeadm sets the first two; the CA requires kubelet serving certificates signed by the cluster CA).',
  },
  messages: {
    noClientCert: 'kube-apiserver does not set --{{flag}}, so it cannot authenticate to kubelets with a client certificate; set it.',
    noKubeletCa: 'kube-apiserver does not set --kubelet-certificate-authority, so it does not verify the kubelets it connects to; set it.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    for (const flag of ['kubelet-client-certificate', 'kubelet-client-key']) {
      if (flagValue(apiserver, flag) === undefined) {
        ctx.report({ messageId: 'noClientCert', pointer: apiserver.missingPointer, data: { flag }, frameworks: { cis: ['1.2.4'] } });
      }
    }
    if (flagValue(apiserver, 'kubelet-certificate-authority') === undefined) {
      ctx.report({ messageId: 'noKubeletCa', pointer: apiserver.missingPointer, severity: 'medium', frameworks: { cis: ['1.2.5'] } });
    }
  },
});
