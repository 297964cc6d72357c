import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, flagValue, invocationFor, listFlag, LOOPBACK, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/controller-manager',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'Controller manager settings are weak',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: {
      cis: ['1.3.2', '1.3.3', '1.3.4', '1.3.5', '1.3.6', '1.3.7'],
      nsa: ['Control plane hardening'],
      mitre: ['T1078', 'T1613'],
    },
    description:
      'kube-controller-manager holds the most powerful credentials of the cluster. It should run each controller with its own service account, sign service-account tokens and hand pods the cluster CA, let kubelets rotate their serving certificates, keep its profiling endpoints off, and listen only on loopback.',
    remediation:
      'Start kube-controller-manager with `--use-service-account-credentials=true`, `--service-account-private-key-file`, `--root-ca-file`, `--profiling=false`, `--bind-address=127.0.0.1`, and do not turn the RotateKubeletServerCertificate feature gate off.',
  },
  messages: {
    profiling: 'kube-controller-manager {{how}}; set --profiling=false.',
    sharedCredentials:
      'kube-controller-manager {{how}}: every controller acts with the controller manager’s own, all-powerful identity. Set --use-service-account-credentials=true.',
    noSigningKey:
      'kube-controller-manager does not set --service-account-private-key-file, so it cannot sign service-account tokens; set it.',
    noRootCa: 'kube-controller-manager does not set --root-ca-file, so pods cannot verify the API server’s certificate; set it.',
    noRotation:
      'kube-controller-manager turns the RotateKubeletServerCertificate feature gate off; leave it on so kubelet serving certificates are rotated.',
    bindAddress: 'kube-controller-manager {{how}}, exposing its endpoints beyond the node; set --bind-address=127.0.0.1.',
  },
  run(subject, ctx) {
    const cm = invocationFor('kube-controller-manager', subject, ctx);
    if (cm === undefined) return;
    const profiling = flagOf(cm, 'profiling');
    if (boolFlag(cm, 'profiling', true) !== false) {
      ctx.report({
        messageId: 'profiling',
        pointer: profiling?.pointer ?? cm.missingPointer,
        data: {
          how: profiling === undefined ? 'leaves --profiling at its default (true)' : `sets --profiling=${profiling.value ?? 'true'}`,
        },
        frameworks: { cis: ['1.3.2'] },
      });
    }
    const credentials = flagOf(cm, 'use-service-account-credentials');
    if (boolFlag(cm, 'use-service-account-credentials', false) !== true) {
      ctx.report({
        messageId: 'sharedCredentials',
        pointer: credentials?.pointer ?? cm.missingPointer,
        data: {
          how:
            credentials === undefined
              ? 'leaves --use-service-account-credentials at its default (false)'
              : `sets --use-service-account-credentials=${credentials.value ?? ''}`,
        },
        severity: 'high',
        frameworks: { cis: ['1.3.3'] },
      });
    }
    if (flagValue(cm, 'service-account-private-key-file') === undefined) {
      ctx.report({ messageId: 'noSigningKey', pointer: cm.missingPointer, frameworks: { cis: ['1.3.4'] } });
    }
    if (flagValue(cm, 'root-ca-file') === undefined) {
      ctx.report({ messageId: 'noRootCa', pointer: cm.missingPointer, frameworks: { cis: ['1.3.5'] } });
    }
    const gates = listFlag(cm, 'feature-gates');
    if (gates.items.some((g) => /^RotateKubeletServerCertificate=(?:false|0|f)$/i.test(g))) {
      ctx.report({ messageId: 'noRotation', pointer: gates.pointer ?? cm.missingPointer, frameworks: { cis: ['1.3.6'] } });
    }
    const bind = flagOf(cm, 'bind-address');
    const address = bind?.value?.trim();
    if (address === undefined || !LOOPBACK.has(address)) {
      ctx.report({
        messageId: 'bindAddress',
        pointer: bind?.pointer ?? cm.missingPointer,
        data: {
          how: address === undefined ? 'listens on all addresses (no --bind-address; the default is 0.0.0.0)' : `listens on ${address}`,
        },
        frameworks: { cis: ['1.3.7'] },
      });
    }
  },
});
