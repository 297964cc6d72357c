import picomatch from 'picomatch';
import { z } from 'zod';

import type { BindingRecord, RoleRecord } from '../../analysis/rbac/rbac-objects.js';
import type { SubjectRef } from '../../analysis/rbac/rbac-index.js';
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, SERVICE_ACCOUNTS_GROUP, UNAUTHENTICATED_GROUP } from '../../analysis/rbac/user-info.js';

/*
 * Which grants the RBAC checks judge. Kubernetes creates its own roles and bindings (the bootstrap
 * policy, "Default roles and role bindings" in Using RBAC Authorization) and re-creates them at every
 * API-server start; flagging them would bury real findings on every cluster. So the checks skip:
 *   - bindings and roles labelled `kubernetes.io/bootstrapping: rbac-defaults` (the bootstrap policy);
 *   - Kubernetes' own identities: users named `system:*` (control-plane components, `system:node:*`)
 *     and groups named `system:*` (`system:masters`, `system:nodes`, `system:bootstrappers`, …).
 * They still judge the identities that stand for many people or for anyone: `system:anonymous`,
 * `system:authenticated`, `system:unauthenticated`, `system:serviceaccounts` and
 * `system:serviceaccounts:<ns>`, and every service account (kube-system's too: list accepted ones in
 * the `ignoreSubjects` option).
 */

const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

/** A binding of the API server's bootstrap policy. */
export function isDefaultBinding(binding: BindingRecord): boolean {
  return binding.labels[BOOTSTRAP_LABEL] === 'rbac-defaults';
}

/** A role of the API server's bootstrap policy (or the cluster-admin Vigil supplies). */
export function isDefaultRole(role: RoleRecord): boolean {
  return role.builtin || role.labels[BOOTSTRAP_LABEL] === 'rbac-defaults';
}

const BROAD_GROUPS: ReadonlySet<string> = new Set([AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, SERVICE_ACCOUNTS_GROUP]);

/** Kubernetes' own identities (control-plane users, system groups), which the checks do not judge. */
export function isSystemSubject(subject: SubjectRef): boolean {
  if (subject.kind === 'User') {
    return subject.name.startsWith('system:') && subject.name !== ANONYMOUS_USER && !subject.name.startsWith('system:serviceaccount:');
  }
  if (subject.kind === 'Group') {
    return subject.name.startsWith('system:') && !BROAD_GROUPS.has(subject.name) && !subject.name.startsWith(`${SERVICE_ACCOUNTS_GROUP}:`);
  }
  return false;
}

/** `User:jane`, `Group:dev`, `ServiceAccount:shop/api`: what `ignoreSubjects` patterns match. */
export function subjectPattern(subject: SubjectRef): string {
  return subject.namespace === undefined ? `${subject.kind}:${subject.name}` : `${subject.kind}:${subject.namespace}/${subject.name}`;
}

/** Options of the RBAC grant checks. */
export const subjectOptions = z
  .object({
    /**
     * Subjects whose grants are accepted, as globs over `User:<name>`, `Group:<name>`,
     * `ServiceAccount:<namespace>/<name>` (`ServiceAccount:kube-system/*`).
     */
    ignoreSubjects: z.array(z.string()).default([]),
  })
  .strict();

export type SubjectOptions = z.infer<typeof subjectOptions>;

/** A predicate for the subjects a check judges, given its options. */
export function judgedSubjects(options: SubjectOptions): (subject: SubjectRef) => boolean {
  const ignored = options.ignoreSubjects.length === 0 ? undefined : picomatch(options.ignoreSubjects);
  return (subject) => !isSystemSubject(subject) && ignored?.(subjectPattern(subject)) !== true;
}
