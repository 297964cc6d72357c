import { stringify } from 'yaml';

export interface WebhookKubeconfigOptions {
  /** URL the API server posts to, e.g. https://vigil.example:8443/v1/audit. */
  readonly server: string;
  /** CA that signed the receiver's serving certificate (a file path the API server can read). */
  readonly certificateAuthority?: string;
  /** File holding the bearer token (kubeconfig `tokenFile`), so the token itself is never printed. */
  readonly tokenFile?: string;
  /** Client certificate and key for mutual TLS. */
  readonly clientCertificate?: string;
  readonly clientKey?: string;
}

/**
 * The kubeconfig file for kube-apiserver's `--audit-webhook-config-file` (the webhook backend reads the
 * current context's cluster and user; see the Kubernetes "Auditing" page, Webhook backend).
 */
export function webhookKubeconfig(options: WebhookKubeconfigOptions): string {
  const user: Record<string, string> = {};
  if (options.tokenFile !== undefined) user.tokenFile = options.tokenFile;
  if (options.clientCertificate !== undefined) user['client-certificate'] = options.clientCertificate;
  if (options.clientKey !== undefined) user['client-key'] = options.clientKey;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'vigil-audit',
        cluster: {
          server: options.server,
          ...(options.certificateAuthority === undefined ? {} : { 'certificate-authority': options.certificateAuthority }),
        },
      },
    ],
    users: [{ name: 'kube-apiserver', user }],
    contexts: [{ name: 'vigil-audit', context: { cluster: 'vigil-audit', user: 'kube-apiserver' } }],
    'current-context': 'vigil-audit',
  };
  return `# kube-apiserver --audit-webhook-config-file (written by vigil audit serve --print-kubeconfig)
# Also set --audit-policy-file, and consider --audit-webhook-batch-max-size / --audit-webhook-initial-backoff.
${stringify(config)}`;
}
