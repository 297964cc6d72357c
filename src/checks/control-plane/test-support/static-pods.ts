/**
 * Builders for control-plane static pods in check tests: a kubeadm-style kube-apiserver, controller
 * manager, scheduler and etcd Pod in kube-system with the given flags.
 */
import type { KubeObject } from '../../../k8s/types.js';
import type { Component } from '../component-flags.js';

export function staticPod(component: Component, flags: readonly string[], options: { name?: string; useArgs?: boolean } = {}): KubeObject {
  const container: Record<string, unknown> = {
    name: component,
    image: `registry.k8s.io/${component === 'etcd' ? 'etcd:3.5.15-0' : `${component}:v1.31.0`}`,
  };
  if (options.useArgs === true) {
    container.command = [component];
    container.args = [...flags];
  } else {
    container.command = [component, ...flags];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name ?? `${component}-node1`, namespace: 'kube-system', labels: { component, tier: 'control-plane' } },
    spec: { containers: [container], hostNetwork: true },
  };
}

/** Flags of a kube-apiserver that passes every control-plane check. */
export const HARDENED_APISERVER: readonly string[] = [
  '--advertise-address=10.0.0.10',
  '--anonymous-auth=false',
  '--authorization-mode=Node,RBAC',
  '--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs',
  '--admission-control-config-file=/etc/kubernetes/admission.yaml',
  '--audit-log-path=/var/log/kubernetes/audit.log',
  '--audit-log-maxage=30',
  '--audit-log-maxbackup=10',
  '--audit-log-maxsize=100',
  '--audit-policy-file=/etc/kubernetes/audit-policy.yaml',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--encryption-provider-config=/etc/kubernetes/encryption.yaml',
  '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
  '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
  '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
  '--etcd-servers=https://127.0.0.1:2379',
  '--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt',
  '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
  '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
  '--profiling=false',
  '--secure-port=6443',
  '--service-account-extend-token-expiration=false',
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
  '--service-account-lookup=true',
  '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
  '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
  '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
  '--tls-min-version=VersionTLS12',
  '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];

/** The hardened flags with some replaced or removed: `withFlags({ 'anonymous-auth': 'true', profiling: undefined })`. */
export function withFlags(changes: Readonly<Record<string, string | undefined>>, base: readonly string[] = HARDENED_APISERVER): string[] {
  const out = base.filter((flag) => !Object.hasOwn(changes, (/^--([^=]+)/.exec(flag) ?? [])[1] ?? ''));
  for (const [name, value] of Object.entries(changes)) if (value !== undefined) out.push(`--${name}=${value}`);
  return out;
}
