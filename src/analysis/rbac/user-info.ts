/*
 * Identities as the API server's authenticators hand them to the authorizer
 * (k8s.io/apiserver pkg/authentication: user.Info, serviceaccount, group.AuthenticatedGroupAdder,
 * request/anonymous).
 */

export const ANONYMOUS_USER = 'system:anonymous';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** Members bypass authorization entirely: kube-apiserver always puts a privileged-group authorizer first. */
export const PRIVILEGED_GROUP = 'system:masters';
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** Who is asking: a user name and the groups the authenticator gave it. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** `system:serviceaccount:<namespace>:<name>`, the user name a service-account token authenticates as. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccounts:<namespace>`, the group every service account of a namespace is in. */
export function serviceAccountNamespaceGroup(namespace: string): string {
  return `${SERVICE_ACCOUNTS_GROUP}:${namespace}`;
}

// DNS-1123 label (namespaces) and subdomain (service-account names), as apimachinery validates them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The namespace and name of a service-account user name, or undefined when it is not one
 * (serviceaccount.SplitUsername: exactly two parts, a valid namespace and a valid name).
 */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * The identity the API server would see for a user name and groups, with the groups its authenticators
 * add: a service-account token also yields `system:serviceaccounts` and `system:serviceaccounts:<ns>`;
 * `system:anonymous` is in `system:unauthenticated`; every other user gets `system:authenticated`
 * unless it already has `system:authenticated` or `system:unauthenticated`
 * (group.AuthenticatedGroupAdder). Given groups are kept, in order, without duplicates.
 */
export function authenticatedUser(name: string, groups: readonly string[] = []): UserInfo {
  const out: string[] = [];
  const add = (group: string): void => {
    if (!out.includes(group)) out.push(group);
  };
  for (const group of groups) add(group);
  const serviceAccount = parseServiceAccountUsername(name);
  if (serviceAccount !== undefined) {
    add(SERVICE_ACCOUNTS_GROUP);
    add(serviceAccountNamespaceGroup(serviceAccount.namespace));
  }
  if (name === ANONYMOUS_USER) add(UNAUTHENTICATED_GROUP);
  else if (!out.includes(AUTHENTICATED_GROUP) && !out.includes(UNAUTHENTICATED_GROUP)) add(AUTHENTICATED_GROUP);
  return { name, groups: out };
}
