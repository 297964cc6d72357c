import { stringOrUndefined } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { secretReferences } from '../secret-references.js';

/** Secrets that controllers create and read themselves; "unused by pods" says nothing about them. */
const MANAGED_TYPES = new Set(['kubernetes.io/service-account-token', 'bootstrap.kubernetes.io/token', 'helm.sh/release.v1']);

export default defineCheck({
  id: 'secrets/unused-secret',
  target: 'Object',
  kinds: ['Secret'],
  reads: ['*'],
  meta: {
    title: 'Secret that nothing uses',
    area: 'secrets',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Secrets'], mitre: ['T1552.007'] },
    description:
      'A Secret that no pod, service account, Ingress, Gateway or other object refers to is a credential nobody rotates or watches, readable by everyone who can read Secrets in its namespace. Leftovers of removed applications are the usual case.',
    remediation:
      'Delete the Secret if nothing reads it through the API; otherwise record, as an exception, which component reads it so the next reviewer knows.',
  },
  messages: {
    unused:
      'Secret "{{name}}" is not referenced by any pod, service account, Ingress, Gateway or other object in namespace "{{namespace}}", and no Role there grants read access to it; delete it if nothing reads it through the API.',
  },
  run({ object, entry, inventory }, ctx) {
    const type = stringOrUndefined(object.type);
    const namespace = entry.ref.namespace;
    const owners = object.metadata.ownerReferences;
    if (namespace === undefined || (type !== undefined && MANAGED_TYPES.has(type)) || (Array.isArray(owners) && owners.length > 0)) {
      ctx.notApplicable();
      return;
    }
    const index = secretReferences(inventory);
    // Without the namespace's workloads in the input, "nothing uses it" cannot be concluded.
    if (!index.namespacesWithWorkloads.has(namespace)) {
      ctx.notApplicable();
      return;
    }
    const name = object.metadata.name;
    if (index.uses.has(`${namespace}/${name}`) || index.readableInNamespace.has(namespace) || index.readableByName.has(name)) return;
    ctx.report({ messageId: 'unused', pointer: '/metadata/name', data: { name, namespace } });
  },
});
