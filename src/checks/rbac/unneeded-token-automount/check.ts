import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { serviceAccountNamespaceGroup } from '../../../analysis/rbac/user-info.js';
import { defineCheck } from '../../define-check.js';
import { tokenMountOf } from '../token-mount.js';
import { RBAC_READS } from '../../reads.js';

export default defineCheck({
  id: 'rbac/unneeded-token-automount',
  target: 'PodSpec',
  reads: RBAC_READS,
  meta: {
    title: 'Pod mounts a service-account token it does not need',
    area: 'rbac',
    defaultSeverity: 'low',
    frameworks: { cis: ['5.1.6'], nsa: ['Authentication and authorization'], mitre: ['T1528', 'T1552.007'] },
    description:
      'Kubernetes mounts a service-account token into every pod unless told not to. When no binding grants the service account anything, the workload has no use for the token — but whoever compromises the container can still use it against the API server (discovery, and whatever is later granted to all service accounts).',
    remediation:
      'Set automountServiceAccountToken: false in the pod spec (or on the service account); mount a token explicitly where a workload calls the API.',
  },
  messages: {
    explicit:
      '{{kind}} "{{name}}" sets automountServiceAccountToken: true, but no binding grants ServiceAccount {{account}} anything: set it to false.',
    byDefault:
      '{{kind}} "{{name}}" gets the token of ServiceAccount {{account}} mounted by default, but no binding grants that account anything: set automountServiceAccountToken: false.',
  },
  run(pod, ctx) {
    const mount = tokenMountOf(pod);
    if (!mount.mounted) return;
    const index = RbacIndex.of(pod.inventory);
    // A binding that names the account (or every account of its namespace) says the workload uses the API.
    const granted =
      index.bindingsNamingServiceAccount(mount.namespace, mount.serviceAccount).length > 0 ||
      index.bindingsNamingGroup(serviceAccountNamespaceGroup(mount.namespace)).length > 0;
    if (granted) return;
    ctx.report({
      messageId: mount.explicit ? 'explicit' : 'byDefault',
      pointer: mount.pointer,
      data: { kind: pod.workload.ref.kind, name: pod.workload.ref.name, account: `${mount.namespace}/${mount.serviceAccount}` },
    });
  },
});
