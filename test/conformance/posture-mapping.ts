/**
 * Which Vigil checks decide what each Polaris check and kubescape rule decides, for the posture areas
 * (secrets, images, resources, placement, control plane, workload hardening). One row per peer check;
 * append rows to extend. Peer configuration (kubescape's posture control inputs, Polaris' custom
 * check parameters) is translated into the Vigil checks' options, so both sides judge the same policy.
 *
 * Rows for rules whose upstream cases are all in the sealed hold-out set have no local cases; they
 * are kept so the hold-out run exercises them.
 */
import { first, list, type PeerConfig, type PeerMapping, type VigilUse } from './posture-harness.js';

const cis = (check: string, id: string): VigilUse => ({ check, control: { framework: 'cis', id } });
const nsa = (check: string, id: string): VigilUse => ({ check, control: { framework: 'nsa', id } });

/** kubescape min/max inputs (`memory_request_min` …) as a Vigil range. */
function range(config: PeerConfig, min: string, max: string): Record<string, string> {
  const lo = first(config, min);
  const hi = first(config, max);
  return { ...(lo === undefined ? {} : { min: lo }), ...(hi === undefined ? {} : { max: hi }) };
}

/** kubescape's credential inputs as the credential checks' options. */
function credentials(config: PeerConfig): Record<string, unknown> {
  return {
    names: list(config, 'sensitiveKeyNames').map(escape),
    values: list(config, 'sensitiveValues'),
    allowNames: list(config, 'sensitiveKeyNamesAllowed').map(escape),
    allowValues: list(config, 'sensitiveValuesAllowed').map(escape),
    entropy: false,
  };
}

/** kubescape key names are plain substrings; the options take regular expressions. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const RUNS_LAST_FLAG =
  'kube-apiserver reads flags with spf13/pflag, where the last occurrence of a scalar flag wins; this case also sets a later, compliant value, so Vigil judges the flag as the API server would.';

export const POSTURE_MAPPING: readonly PeerMapping[] = [
  // ---------------------------------------------------------------- Polaris
  { peer: 'polaris', id: 'cpuLimitsMissing', uses: [{ check: 'resources/missing-limits', options: { require: ['cpu'] } }] },
  { peer: 'polaris', id: 'memoryLimitsMissing', uses: [{ check: 'resources/missing-limits', options: { require: ['memory'] } }] },
  { peer: 'polaris', id: 'cpuRequestsMissing', uses: [{ check: 'resources/missing-requests', options: { require: ['cpu'] } }] },
  { peer: 'polaris', id: 'memoryRequestsMissing', uses: [{ check: 'resources/missing-requests', options: { require: ['memory'] } }] },
  { peer: 'polaris', id: 'tagNotSpecified', uses: [{ check: 'images/latest-tag' }] },
  {
    peer: 'polaris',
    id: 'pullPolicyNotAlways',
    uses: [{ check: 'images/pull-policy', options: { require: 'always' } }],
    note: 'Polaris requires an explicit imagePullPolicy: Always on every container: the check’s `require: always` mode.',
  },
  { peer: 'polaris', id: 'sensitiveConfigmapContent', uses: [{ check: 'secrets/credential-in-configmap' }] },
  { peer: 'polaris', id: 'sensitiveContainerEnvVar', uses: [{ check: 'secrets/credential-in-env' }] },
  { peer: 'polaris', id: 'notReadOnlyRootFilesystem', uses: [{ check: 'workload/read-only-root-filesystem' }] },
  {
    peer: 'polaris',
    id: 'topologySpreadConstraint',
    uses: [{ check: 'placement/replica-spread', options: { minReplicas: 1, accept: ['topology-spread'] } }],
    note: 'Polaris requires topology spread constraints on every controller, whatever its replica count.',
  },
  {
    peer: 'polaris',
    id: 'resourceRange',
    uses: [
      { check: 'resources/missing-limits', options: { require: ['cpu', 'memory'] } },
      { check: 'resources/out-of-range', options: { limits: { memory: { min: '100Mi', max: '6G' }, cpu: { min: '100m', max: '2' } } } },
    ],
    note: 'The custom check of the fixture folder (fixtures/resourceRange/check.yaml): limits required, memory 100Mi–6G, CPU 100m–2.',
  },

  // ---------------------------------------------------------------- kubescape: images
  {
    peer: 'kubescape',
    id: 'image-not-pinned-to-digest',
    uses: [{ check: 'images/no-digest', options: (c) => ({ exemptRepositories: list(c, 'imageDigestExemptRepositories') }) }],
  },
  {
    peer: 'kubescape',
    id: 'image-pull-policy-is-not-set-to-always',
    uses: [{ check: 'images/pull-policy', options: (c) => ({ floatingTags: list(c, 'floatingImageTags') }) }],
  },
  {
    peer: 'kubescape',
    id: 'container-image-repository',
    uses: [
      {
        check: 'images/untrusted-registry',
        options: (c) => ({ allowedRegistries: list(c, 'imageRepositoryAllowList'), deprecatedRegistries: [] }),
      },
    ],
  },
  {
    peer: 'kubescape',
    id: 'container-image-repository-v1',
    uses: [
      {
        check: 'images/untrusted-registry',
        options: (c) => ({ allowedRegistries: list(c, 'imageRepositoryAllowList'), deprecatedRegistries: [] }),
      },
    ],
  },
  {
    peer: 'kubescape',
    id: 'rule-identify-blocklisted-image-registries',
    uses: [
      {
        check: 'images/untrusted-registry',
        options: (c) => ({
          blockedRegistries: [...list(c, 'publicRegistries'), ...list(c, 'untrustedRegistries')],
          deprecatedRegistries: [],
        }),
      },
    ],
  },
  {
    peer: 'kubescape',
    id: 'rule-identify-old-k8s-registry',
    uses: [{ check: 'images/untrusted-registry', options: { deprecatedRegistries: ['k8s.gcr.io'] } }],
  },

  // ---------------------------------------------------------------- kubescape: secrets
  { peer: 'kubescape', id: 'rule-credentials-configmap', uses: [{ check: 'secrets/credential-in-configmap', options: credentials }] },
  { peer: 'kubescape', id: 'rule-credentials-in-env-var', uses: [{ check: 'secrets/credential-in-env', options: credentials }] },
  { peer: 'kubescape', id: 'rule-secrets-in-env-var', uses: [{ check: 'secrets/secret-as-env' }] },
  { peer: 'kubescape', id: 'etcd-encryption-native', uses: [cis('secrets/encryption-at-rest', '1.2.27')] },

  // ---------------------------------------------------------------- kubescape: resources and workload hardening
  {
    peer: 'kubescape',
    id: 'resources-memory-limit-and-request',
    uses: [
      { check: 'resources/missing-requests', options: { require: ['memory'] } },
      { check: 'resources/missing-limits', options: { require: ['memory'] } },
      {
        check: 'resources/out-of-range',
        options: (c) => ({
          requests: { memory: range(c, 'memory_request_min', 'memory_request_max') },
          limits: { memory: range(c, 'memory_limit_min', 'memory_limit_max') },
        }),
      },
    ],
  },
  {
    peer: 'kubescape',
    id: 'resources-cpu-limit-and-request',
    uses: [
      { check: 'resources/missing-requests', options: { require: ['cpu'] } },
      { check: 'resources/missing-limits', options: { require: ['cpu'] } },
      {
        check: 'resources/out-of-range',
        options: (c) => ({
          requests: { cpu: range(c, 'cpu_request_min', 'cpu_request_max') },
          limits: { cpu: range(c, 'cpu_limit_min', 'cpu_limit_max') },
        }),
      },
    ],
  },
  {
    peer: 'kubescape',
    id: 'resources-memory-limits',
    uses: [
      { check: 'resources/missing-limits', options: { require: ['memory'] } },
      { check: 'resources/out-of-range', options: (c) => ({ limits: { memory: range(c, 'memory_limit_min', 'memory_limit_max') } }) },
    ],
  },
  {
    peer: 'kubescape',
    id: 'resources-memory-requests',
    uses: [
      { check: 'resources/missing-requests', options: { require: ['memory'] } },
      { check: 'resources/out-of-range', options: (c) => ({ requests: { memory: range(c, 'memory_request_min', 'memory_request_max') } }) },
    ],
  },
  {
    peer: 'kubescape',
    id: 'resources-cpu-limits',
    uses: [
      { check: 'resources/missing-limits', options: { require: ['cpu'] } },
      { check: 'resources/out-of-range', options: (c) => ({ limits: { cpu: range(c, 'cpu_limit_min', 'cpu_limit_max') } }) },
    ],
  },
  {
    peer: 'kubescape',
    id: 'resources-cpu-requests',
    uses: [
      { check: 'resources/missing-requests', options: { require: ['cpu'] } },
      { check: 'resources/out-of-range', options: (c) => ({ requests: { cpu: range(c, 'cpu_request_min', 'cpu_request_max') } }) },
    ],
  },
  { peer: 'kubescape', id: 'resource-policies', uses: [{ check: 'resources/missing-limits', options: { require: ['cpu', 'memory'] } }] },
  { peer: 'kubescape', id: 'immutable-container-filesystem', uses: [{ check: 'workload/read-only-root-filesystem' }] },

  // ---------------------------------------------------------------- kubescape: kube-apiserver
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false',
    uses: [cis('control-plane/apiserver-anonymous-auth', '1.2.1')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-token-auth-file-parameter-is-not-set',
    uses: [cis('control-plane/apiserver-authentication', '1.2.2')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-DenyServiceExternalIPs-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.3')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-kubelet-client-certificate-and-kubelet-client-key-arguments-are-set-as-appropriate',
    uses: [cis('control-plane/apiserver-kubelet-tls', '1.2.4')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-kubelet-certificate-authority-argument-is-set-as-appropriate',
    uses: [cis('control-plane/apiserver-kubelet-tls', '1.2.5')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow',
    uses: [cis('control-plane/apiserver-authorization-mode', '1.2.6')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-authorization-mode-argument-includes-Node',
    uses: [cis('control-plane/apiserver-authorization-mode', '1.2.7')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-authorization-mode-argument-includes-RBAC',
    uses: [cis('control-plane/apiserver-authorization-mode', '1.2.8')],
  },
  { peer: 'kubescape', id: 'rbac-enabled-native', uses: [cis('control-plane/apiserver-authorization-mode', '1.2.8')] },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-EventRateLimit-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.9')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.10')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-AlwaysPullImages-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.11')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-ServiceAccount-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.12')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-NamespaceLifecycle-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.13')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-admission-control-plugin-NodeRestriction-is-set',
    uses: [cis('control-plane/apiserver-admission-plugins', '1.2.14')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-profiling-argument-is-set-to-false',
    uses: [cis('control-plane/apiserver-profiling', '1.2.15')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-audit-log-path-argument-is-set',
    uses: [cis('control-plane/apiserver-audit-log', '1.2.16')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate',
    uses: [cis('control-plane/apiserver-audit-log', '1.2.17')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate',
    uses: [cis('control-plane/apiserver-audit-log', '1.2.18')],
    disagreements: {
      'rules/ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate/test/rke2-args':
        'The case sets --audit-log-maxbackup=10, which CIS 1.2.18 accepts ("set to 10 or as appropriate"); kubescape raises a "please validate" review alert for any value. Vigil passes it (and keeps the minimum configurable: minBackups).',
    },
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-service-account-lookup-argument-is-set-to-true',
    uses: [cis('control-plane/apiserver-authentication', '1.2.21')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-etcd-certfile-and-etcd-keyfile-arguments-are-set-as-appropriate',
    uses: [cis('control-plane/apiserver-etcd-tls', '1.2.23')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate',
    uses: [cis('control-plane/apiserver-tls', '1.2.24')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-client-ca-file-argument-is-set-as-appropriate',
    uses: [cis('control-plane/apiserver-authentication', '1.2.25')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-etcd-cafile-argument-is-set-as-appropriate',
    uses: [cis('control-plane/apiserver-etcd-tls', '1.2.26')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers-cis1-10',
    uses: [cis('control-plane/apiserver-tls', '1.2.29')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers',
    uses: [cis('control-plane/apiserver-tls', '1.2.29')],
    note: 'The older form of the rule (control C-0143), before CIS Kubernetes Benchmark 1.10 fixed the list of strong suites.',
    disagreements: {
      'rules/ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers/test/passed':
        'The case configures TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA and RSA-key-exchange suites; the old rule checks that a list of suites is present, not that only strong ones are. CIS 1.2.29 (v1.10 and later) allows only TLS 1.3 and ECDHE AES/ChaCha20 suites, so Vigil reports the weak ones.',
      'rules/ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers/test/rke2-args':
        'The same suite list as the "passed" case, given as args: 3DES and RSA key exchange are weak under CIS 1.2.29.',
    },
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-service-account-extend-token-expiration-is-set-to-false',
    uses: [cis('control-plane/apiserver-authentication', '1.2.30')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-api-server-secure-port-argument-is-not-set-to-0',
    uses: [nsa('control-plane/apiserver-tls', 'Control plane hardening')],
    disagreements: {
      'rules/ensure-that-the-api-server-secure-port-argument-is-not-set-to-0/test/failed': `--secure-port=0 --secure-port=8443: ${RUNS_LAST_FLAG}`,
    },
  },
  { peer: 'kubescape', id: 'insecure-port-flag', uses: [nsa('control-plane/apiserver-tls', 'Control plane hardening')] },
  { peer: 'kubescape', id: 'k8s-audit-logs-enabled-native', uses: [cis('control-plane/apiserver-audit-log', '3.2.1')] },
  { peer: 'kubescape', id: 'k8s-audit-logs-enabled-native-cis', uses: [cis('control-plane/apiserver-audit-log', '3.2.1')] },

  // ---------------------------------------------------------------- kubescape: controller manager, scheduler, etcd
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-profiling-argument-is-set-to-false',
    uses: [cis('control-plane/controller-manager', '1.3.2')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-use-service-account-credentials-argument-is-set-to-true',
    uses: [cis('control-plane/controller-manager', '1.3.3')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-service-account-private-key-file-argument-is-set-as-appropriate',
    uses: [cis('control-plane/controller-manager', '1.3.4')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-root-ca-file-argument-is-set-as-appropriate',
    uses: [cis('control-plane/controller-manager', '1.3.5')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-RotateKubeletServerCertificate-argument-is-set-to-true',
    uses: [cis('control-plane/controller-manager', '1.3.6')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-controller-manager-bind-address-argument-is-set-to-127.0.0.1',
    uses: [cis('control-plane/controller-manager', '1.3.7')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-scheduler-profiling-argument-is-set-to-false',
    uses: [cis('control-plane/scheduler', '1.4.1')],
  },
  {
    peer: 'kubescape',
    id: 'ensure-that-the-scheduler-bind-address-argument-is-set-to-127.0.0.1',
    uses: [cis('control-plane/scheduler', '1.4.2')],
  },
  { peer: 'kubescape', id: 'etcd-tls-enabled', uses: [cis('control-plane/etcd', '2.1')] },
  { peer: 'kubescape', id: 'etcd-client-auth-cert', uses: [cis('control-plane/etcd', '2.2')] },
  { peer: 'kubescape', id: 'etcd-auto-tls-disabled', uses: [cis('control-plane/etcd', '2.3')] },
  { peer: 'kubescape', id: 'etcd-peer-tls-enabled', uses: [cis('control-plane/etcd', '2.4')] },
  { peer: 'kubescape', id: 'etcd-peer-client-auth-cert', uses: [cis('control-plane/etcd', '2.5')] },
  { peer: 'kubescape', id: 'etcd-peer-auto-tls-disabled', uses: [cis('control-plane/etcd', '2.6')] },
  { peer: 'kubescape', id: 'etcd-unique-ca', uses: [cis('control-plane/etcd', '2.7')] },
];
