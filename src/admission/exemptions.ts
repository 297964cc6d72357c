import type { AdmissionRequest } from './review.js';
import { SYSTEM_NAMESPACES, type ExemptionSettings } from './settings.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/**
 * Exemptions, matched exactly as the PodSecurity controller matches its own (no globs, except a
 * service account's name may be `*`): by the request's namespace, by the user making it, by one of
 * its groups, or by its service account. The webhook's own namespace is always exempt, so the webhook
 * can always be restarted, even when it is down and its failurePolicy is Fail.
 */
export class Exemptions {
  private readonly namespaces: ReadonlySet<string>;
  private readonly usernames: ReadonlySet<string>;
  private readonly groups: ReadonlySet<string>;
  private readonly serviceAccounts: ReadonlySet<string>;

  constructor(settings: ExemptionSettings, ownNamespace?: string) {
    this.namespaces = new Set([
      ...(settings.systemNamespaces ? SYSTEM_NAMESPACES : []),
      ...settings.namespaces,
      ...(ownNamespace === undefined || ownNamespace === '' ? [] : [ownNamespace]),
    ]);
    this.usernames = new Set(settings.usernames);
    this.groups = new Set(settings.groups);
    this.serviceAccounts = new Set(settings.serviceAccounts);
  }

  /** Exempt namespaces, sorted (for the webhook configuration's selectors). */
  get exemptNamespaces(): string[] {
    return [...this.namespaces].sort();
  }

  /** Why a request is exempt (`namespace "kube-system"`, `user "…"`, …), or undefined. */
  exemptionOf(request: AdmissionRequest): string | undefined {
    if (request.namespace !== '' && this.namespaces.has(request.namespace)) return `namespace "${request.namespace}"`;
    const { username, groups } = request.userInfo;
    if (this.usernames.has(username)) return `user "${username}"`;
    const group = groups.find((g) => this.groups.has(g));
    if (group !== undefined) return `group "${group}"`;
    if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      const [namespace, name] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
      if (namespace !== undefined && name !== undefined) {
        if (this.serviceAccounts.has(`${namespace}/${name}`) || this.serviceAccounts.has(`${namespace}/*`)) {
          return `service account ${namespace}/${name}`;
        }
      }
    }
    return undefined;
  }
}
