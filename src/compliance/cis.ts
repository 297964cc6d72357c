/**
 * CIS Kubernetes Benchmark v1.12.0: recommendation ids and titles (CIS, https://www.cisecurity.org/benchmark/kubernetes).
 * Node-level recommendations (file permissions, kubelet and kube-proxy settings) are not visible in
 * Kubernetes objects and are listed as manual.
 */
import type { Control, FrameworkCatalogue } from './catalogue.js';

const NODE_FILES =
  'File ownership and permissions on the nodes are not visible in Kubernetes objects; check them on each node (for example with kube-bench).';
const KUBELET =
  'Kubelet settings live in each node’s kubelet configuration, not in the objects Vigil reads; check them on the nodes (for example with kube-bench).';
const JUDGEMENT = 'The benchmark leaves the value to your judgement ("as appropriate"); review it.';

type Row = readonly [id: string, title: string, extra?: Partial<Pick<Control, 'checks' | 'manual'>>];

function section(name: string, rows: readonly Row[]): Control[] {
  return rows.map(([id, title, extra]) => ({ id, title, section: name, ...extra }));
}

export const CIS: FrameworkCatalogue = {
  id: 'cis',
  name: 'CIS Kubernetes Benchmark',
  version: 'v1.12.0',
  url: 'https://www.cisecurity.org/benchmark/kubernetes',
  controls: [
    ...section('1.1 Control plane node configuration files', [
      ['1.1.1', 'Ensure that the API server pod specification file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.2', 'Ensure that the API server pod specification file ownership is set to root:root', { manual: NODE_FILES }],
      [
        '1.1.3',
        'Ensure that the controller manager pod specification file permissions are set to 600 or more restrictive',
        { manual: NODE_FILES },
      ],
      ['1.1.4', 'Ensure that the controller manager pod specification file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.5', 'Ensure that the scheduler pod specification file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.6', 'Ensure that the scheduler pod specification file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.7', 'Ensure that the etcd pod specification file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.8', 'Ensure that the etcd pod specification file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.9', 'Ensure that the Container Network Interface file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.10', 'Ensure that the Container Network Interface file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.11', 'Ensure that the etcd data directory permissions are set to 700 or more restrictive', { manual: NODE_FILES }],
      ['1.1.12', 'Ensure that the etcd data directory ownership is set to etcd:etcd', { manual: NODE_FILES }],
      ['1.1.13', 'Ensure that the default administrative credential file permissions are set to 600', { manual: NODE_FILES }],
      ['1.1.14', 'Ensure that the default administrative credential file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.15', 'Ensure that the scheduler.conf file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.16', 'Ensure that the scheduler.conf file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.17', 'Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['1.1.18', 'Ensure that the controller-manager.conf file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.19', 'Ensure that the Kubernetes PKI directory and file ownership is set to root:root', { manual: NODE_FILES }],
      ['1.1.20', 'Ensure that the Kubernetes PKI certificate file permissions are set to 644 or more restrictive', { manual: NODE_FILES }],
      ['1.1.21', 'Ensure that the Kubernetes PKI key file permissions are set to 600', { manual: NODE_FILES }],
    ]),
    ...section('1.2 API server', [
      ['1.2.1', 'Ensure that the --anonymous-auth argument is set to false'],
      ['1.2.2', 'Ensure that the --token-auth-file parameter is not set'],
      ['1.2.3', 'Ensure that the DenyServiceExternalIPs is set'],
      ['1.2.4', 'Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate'],
      ['1.2.5', 'Ensure that the --kubelet-certificate-authority argument is set as appropriate'],
      ['1.2.6', 'Ensure that the --authorization-mode argument is not set to AlwaysAllow'],
      ['1.2.7', 'Ensure that the --authorization-mode argument includes Node'],
      ['1.2.8', 'Ensure that the --authorization-mode argument includes RBAC'],
      ['1.2.9', 'Ensure that the admission control plugin EventRateLimit is set'],
      ['1.2.10', 'Ensure that the admission control plugin AlwaysAdmit is not set'],
      ['1.2.11', 'Ensure that the admission control plugin AlwaysPullImages is set'],
      ['1.2.12', 'Ensure that the admission control plugin ServiceAccount is set'],
      ['1.2.13', 'Ensure that the admission control plugin NamespaceLifecycle is set'],
      ['1.2.14', 'Ensure that the admission control plugin NodeRestriction is set'],
      ['1.2.15', 'Ensure that the --profiling argument is set to false'],
      ['1.2.16', 'Ensure that the --audit-log-path argument is set'],
      ['1.2.17', 'Ensure that the --audit-log-maxage argument is set to 30 or as appropriate'],
      ['1.2.18', 'Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate'],
      ['1.2.19', 'Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate'],
      ['1.2.20', 'Ensure that the --request-timeout argument is set as appropriate', { manual: JUDGEMENT }],
      ['1.2.21', 'Ensure that the --service-account-lookup argument is set to true'],
      ['1.2.22', 'Ensure that the --service-account-key-file argument is set as appropriate'],
      ['1.2.23', 'Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate'],
      ['1.2.24', 'Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate'],
      ['1.2.25', 'Ensure that the --client-ca-file argument is set as appropriate'],
      ['1.2.26', 'Ensure that the --etcd-cafile argument is set as appropriate'],
      ['1.2.27', 'Ensure that the --encryption-provider-config argument is set as appropriate'],
      ['1.2.28', 'Ensure that encryption providers are appropriately configured'],
      ['1.2.29', 'Ensure that the API Server only makes use of Strong Cryptographic Ciphers'],
      ['1.2.30', 'Ensure that the --service-account-extend-token-expiration parameter is set to false'],
    ]),
    ...section('1.3 Controller manager', [
      ['1.3.1', 'Ensure that the --terminated-pod-gc-threshold argument is set as appropriate', { manual: JUDGEMENT }],
      ['1.3.2', 'Ensure that the --profiling argument is set to false'],
      ['1.3.3', 'Ensure that the --use-service-account-credentials argument is set to true'],
      ['1.3.4', 'Ensure that the --service-account-private-key-file argument is set as appropriate'],
      ['1.3.5', 'Ensure that the --root-ca-file argument is set as appropriate'],
      ['1.3.6', 'Ensure that the RotateKubeletServerCertificate argument is set to true'],
      ['1.3.7', 'Ensure that the --bind-address argument is set to 127.0.0.1'],
    ]),
    ...section('1.4 Scheduler', [
      ['1.4.1', 'Ensure that the --profiling argument is set to false'],
      ['1.4.2', 'Ensure that the --bind-address argument is set to 127.0.0.1'],
    ]),
    ...section('2 etcd', [
      ['2.1', 'Ensure that the --cert-file and --key-file arguments are set as appropriate'],
      ['2.2', 'Ensure that the --client-cert-auth argument is set to true'],
      ['2.3', 'Ensure that the --auto-tls argument is not set to true'],
      ['2.4', 'Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate'],
      ['2.5', 'Ensure that the --peer-client-cert-auth argument is set to true'],
      ['2.6', 'Ensure that the --peer-auto-tls argument is not set to true'],
      ['2.7', 'Ensure that a unique Certificate Authority is used for etcd'],
    ]),
    ...section('3.1 Authentication and authorization', [
      [
        '3.1.1',
        'Client certificate authentication should not be used for users',
        { manual: 'How people authenticate is decided outside the cluster objects; review the issued client certificates.' },
      ],
      [
        '3.1.2',
        'Service account token authentication should not be used for users',
        { manual: 'Which service-account tokens people use is not visible in cluster objects; review how users log in.' },
      ],
      ['3.1.3', 'Bootstrap token authentication should not be used for users', { manual: 'Review who holds bootstrap tokens.' }],
    ]),
    ...section('3.2 Logging', [
      ['3.2.1', 'Ensure that a minimal audit policy is created', { checks: ['audit/*policy*'] }],
      ['3.2.2', 'Ensure that the audit policy covers key security concerns', { checks: ['audit/*policy*', 'audit/*coverage*'] }],
    ]),
    ...section('4.1 Worker node configuration files', [
      ['4.1.1', 'Ensure that the kubelet service file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['4.1.2', 'Ensure that the kubelet service file ownership is set to root:root', { manual: NODE_FILES }],
      ['4.1.3', 'If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['4.1.4', 'If proxy kubeconfig file exists ensure ownership is set to root:root', { manual: NODE_FILES }],
      ['4.1.5', 'Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive', { manual: NODE_FILES }],
      ['4.1.6', 'Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root', { manual: NODE_FILES }],
      ['4.1.7', 'Ensure that the certificate authorities file permissions are set to 644 or more restrictive', { manual: NODE_FILES }],
      ['4.1.8', 'Ensure that the client certificate authorities file ownership is set to root:root', { manual: NODE_FILES }],
      [
        '4.1.9',
        'If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive',
        { manual: NODE_FILES },
      ],
      [
        '4.1.10',
        'If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root',
        { manual: NODE_FILES },
      ],
    ]),
    ...section('4.2 Kubelet', [
      ['4.2.1', 'Ensure that the --anonymous-auth argument is set to false', { manual: KUBELET, checks: ['*/kubelet-*'] }],
      ['4.2.2', 'Ensure that the --authorization-mode argument is not set to AlwaysAllow', { manual: KUBELET, checks: ['*/kubelet-*'] }],
      ['4.2.3', 'Ensure that the --client-ca-file argument is set as appropriate', { manual: KUBELET, checks: ['*/kubelet-*'] }],
      ['4.2.4', 'Verify that the --read-only-port argument is set to 0', { manual: KUBELET, checks: ['*/kubelet-*'] }],
      ['4.2.5', 'Ensure that the --streaming-connection-idle-timeout argument is not set to 0', { manual: KUBELET }],
      ['4.2.6', 'Ensure that the --make-iptables-util-chains argument is set to true', { manual: KUBELET }],
      ['4.2.7', 'Ensure that the --hostname-override argument is not set', { manual: KUBELET }],
      ['4.2.8', 'Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture', { manual: KUBELET }],
      ['4.2.9', 'Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate', { manual: KUBELET }],
      ['4.2.10', 'Ensure that the --rotate-certificates argument is not set to false', { manual: KUBELET }],
      ['4.2.11', 'Verify that the RotateKubeletServerCertificate argument is set to true', { manual: KUBELET }],
      ['4.2.12', 'Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers', { manual: KUBELET }],
      ['4.2.13', 'Ensure that a limit is set on pod PIDs', { manual: KUBELET }],
    ]),
    ...section('4.3 kube-proxy', [
      [
        '4.3.1',
        'Ensure that the kube-proxy metrics service is bound to localhost',
        { manual: 'Read metricsBindAddress in the kube-proxy configuration (ConfigMap kube-system/kube-proxy) or its flags on the nodes.' },
      ],
    ]),
    ...section('5.1 RBAC and service accounts', [
      ['5.1.1', 'Ensure that the cluster-admin role is only used where required', { checks: ['rbac/*cluster-admin*'] }],
      ['5.1.2', 'Minimize access to secrets', { checks: ['rbac/*secret*'] }],
      ['5.1.3', 'Minimize wildcard use in Roles and ClusterRoles', { checks: ['rbac/*wildcard*'] }],
      ['5.1.4', 'Minimize access to create pods', { checks: ['rbac/*create-pod*', 'rbac/*pod-create*', 'rbac/*workload-create*'] }],
      [
        '5.1.5',
        'Ensure that default service accounts are not actively used',
        { checks: ['rbac/*default-service-account*', 'rbac/*default-sa*'] },
      ],
      [
        '5.1.6',
        'Ensure that Service Account Tokens are only mounted where necessary',
        { checks: ['rbac/*automount*', 'rbac/*token-mount*'] },
      ],
      ['5.1.7', 'Avoid use of system:masters group', { checks: ['rbac/*system-masters*'] }],
      [
        '5.1.8',
        'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster',
        { checks: ['rbac/*escalat*', 'rbac/*impersonat*', 'rbac/*bind*'] },
      ],
      [
        '5.1.9',
        'Minimize access to create persistent volumes',
        { checks: ['rbac/*persistent-volume*', 'rbac/*pv-create*', 'rbac/*create-pv*'] },
      ],
      ['5.1.10', 'Minimize access to the proxy sub-resource of nodes', { checks: ['rbac/*node*proxy*'] }],
      [
        '5.1.11',
        'Minimize access to the approval sub-resource of certificatesigningrequests objects',
        { checks: ['rbac/*csr*', 'rbac/*certificate*'] },
      ],
      ['5.1.12', 'Minimize access to webhook configuration objects', { checks: ['rbac/*webhook*'] }],
      ['5.1.13', 'Minimize access to the service account token creation', { checks: ['rbac/*token-creat*', 'rbac/*create-token*'] }],
    ]),
    ...section('5.2 Pod Security Standards', [
      [
        '5.2.1',
        'Ensure that the cluster has at least one active policy control mechanism in place',
        { checks: ['pod-security/*admission*', 'pod-security/*enforce*', 'pod-security/*namespace*'] },
      ],
      ['5.2.2', 'Minimize the admission of privileged containers', { checks: ['pod-security/*privileged*'] }],
      [
        '5.2.3',
        'Minimize the admission of containers wishing to share the host process ID namespace',
        { checks: ['pod-security/*host-pid*', 'pod-security/*host-namespace*'] },
      ],
      [
        '5.2.4',
        'Minimize the admission of containers wishing to share the host IPC namespace',
        { checks: ['pod-security/*host-ipc*', 'pod-security/*host-namespace*'] },
      ],
      [
        '5.2.5',
        'Minimize the admission of containers wishing to share the host network namespace',
        { checks: ['pod-security/*host-network*', 'pod-security/*host-namespace*'] },
      ],
      ['5.2.6', 'Minimize the admission of containers with allowPrivilegeEscalation', { checks: ['pod-security/*privilege-escalation*'] }],
      [
        '5.2.7',
        'Minimize the admission of root containers',
        { checks: ['pod-security/*non-root*', 'pod-security/*run-as-root*', 'pod-security/*run-as-user*'] },
      ],
      ['5.2.8', 'Minimize the admission of containers with the NET_RAW capability', { checks: ['pod-security/restricted-*capabilit*'] }],
      ['5.2.9', 'Minimize the admission of containers with added capabilities', { checks: ['pod-security/*capabilit*'] }],
      ['5.2.10', 'Minimize the admission of containers with capabilities assigned', { checks: ['pod-security/restricted-*capabilit*'] }],
      ['5.2.11', 'Minimize the admission of Windows HostProcess Containers', { checks: ['pod-security/*host-process*'] }],
      ['5.2.12', 'Minimize the admission of HostPath volumes', { checks: ['pod-security/*host-path*', 'pod-security/*hostpath*'] }],
      ['5.2.13', 'Minimize the admission of containers which use HostPorts', { checks: ['pod-security/*host-port*'] }],
    ]),
    ...section('5.3 Network policies and CNI', [
      ['5.3.1', 'Ensure that the CNI in use supports Network Policies', { checks: ['network/*cni*'] }],
      [
        '5.3.2',
        'Ensure that all Namespaces have Network Policies defined',
        { checks: ['network/*unisolated*', 'network/*namespace*', 'network/*missing-*polic*', 'network/*default-deny*'] },
      ],
    ]),
    ...section('5.4 Secrets management', [
      ['5.4.1', 'Prefer using secrets as files over secrets as environment variables'],
      ['5.4.2', 'Consider external secret storage'],
    ]),
    ...section('5.5 Extensible admission control', [
      [
        '5.5.1',
        'Configure Image Provenance using ImagePolicyWebhook admission controller',
        { manual: 'Review how image provenance is enforced (ImagePolicyWebhook, Sigstore policy-controller, Kyverno verifyImages).' },
      ],
    ]),
    ...section('5.7 General policies', [
      [
        '5.7.1',
        'Create administrative boundaries between resources using namespaces',
        { manual: 'Whether namespaces follow your administrative boundaries is an organisational decision; review them.' },
      ],
      ['5.7.2', 'Ensure that the seccomp profile is set to docker/default in your pod definitions', { checks: ['pod-security/*seccomp*'] }],
      ['5.7.3', 'Apply Security Context to Your Pods and Containers', { checks: ['pod-security/*'] }],
      ['5.7.4', 'The default namespace should not be used', { checks: ['*/default-namespace*'] }],
    ]),
  ],
};
