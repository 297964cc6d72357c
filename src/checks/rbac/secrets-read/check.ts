import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import type { Inventory } from '../../../inventory/inventory.js';
import { arrayOrEmpty, isRecord, stringOrUndefined } from '../../../k8s/guards.js';
import type { PodSpec } from '../../../k8s/types.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS, WORKLOAD_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS, verbsOf } from '../risks.js';

/** Secrets a pod spec reads through the kubelet: volumes (plain and projected), env and envFrom. */
function secretsUsedBy(spec: PodSpec): string[] {
  const names: string[] = [];
  for (const volume of arrayOrEmpty(spec.volumes).filter(isRecord)) {
    const secret = isRecord(volume.secret) ? stringOrUndefined(volume.secret.secretName) : undefined;
    if (secret !== undefined) names.push(secret);
    const projected = isRecord(volume.projected) ? arrayOrEmpty(volume.projected.sources) : [];
    for (const source of projected.filter(isRecord)) {
      const name = isRecord(source.secret) ? stringOrUndefined(source.secret.name) : undefined;
      if (name !== undefined) names.push(name);
    }
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    for (const container of arrayOrEmpty(spec[kind]).filter(isRecord)) {
      for (const env of arrayOrEmpty(container.env).filter(isRecord)) {
        const ref =
          isRecord(env.valueFrom) && isRecord(env.valueFrom.secretKeyRef) ? stringOrUndefined(env.valueFrom.secretKeyRef.name) : undefined;
        if (ref !== undefined) names.push(ref);
      }
      for (const from of arrayOrEmpty(container.envFrom).filter(isRecord)) {
        const ref = isRecord(from.secretRef) ? stringOrUndefined(from.secretRef.name) : undefined;
        if (ref !== undefined) names.push(ref);
      }
    }
  }
  return names;
}

/** Service account → secrets used by the workloads of a namespace that run as it. */
function secretsByServiceAccount(inventory: Inventory, namespace: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { owner, template } of inventory.podTemplatesIn(namespace)) {
    const spec = template.spec;
    const sa = stringOrUndefined(spec.serviceAccountName) ?? stringOrUndefined(spec.serviceAccount) ?? 'default';
    const key = `${owner.ref.namespace ?? ''}/${sa === '' ? 'default' : sa}`;
    let set = out.get(key);
    if (set === undefined) {
      set = new Set();
      out.set(key, set);
    }
    for (const name of secretsUsedBy(spec)) set.add(name);
  }
  return out;
}

export default defineCheck({
  id: 'rbac/secrets-read',
  target: 'Cluster',
  // Workloads only for a RoleBinding's own service accounts, in its own namespace.
  reads: [...RBAC_INDEX_READS, ...WORKLOAD_READS],
  localReads: WORKLOAD_READS,
  meta: {
    title: 'Subject can read Secrets',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.2'], nsa: ['Authentication and authorization'], mitre: ['T1552.007'] },
    description:
      'get on secrets reads any Secret by name; list and watch return every Secret of the namespace (or cluster) with its values. Secrets hold service-account tokens, registry and database credentials and TLS keys, so read access is usually a step to more access.',
    remediation:
      'Remove get/list/watch on secrets from the role, or limit get to the Secrets the workload uses with resourceNames; mount Secrets as volumes or env instead of reading them through the API.',
  },
  messages: {
    listAll:
      '{{subject}} can {{verbs}} secrets {{where}} through {{binding}} ({{via}}): list and watch return every Secret with its values, not just the names.',
    getAny: '{{subject}} can get any Secret by name {{where}} through {{binding}} ({{via}}).',
    named: '{{subject}} can read the Secrets {{names}} {{where}} through {{binding}} ({{via}}), which no workload running as it uses.',
  },
  options: subjectOptions,
  run({ inventory, namespaces }, ctx) {
    const index = RbacIndex.of(inventory);
    const used = new Map<string, Map<string, Set<string>>>();
    for (const risk of riskyBindingSubjects(index, RISKS.secretsRead, judgedSubjects(ctx.options))) {
      // Re-run for some namespaces: only their RoleBindings' findings are wanted.
      if (namespaces !== undefined && !namespaces.has(risk.binding.entry.ref.namespace ?? '')) continue;
      const unrestricted = risk.matches.filter((m) => m.rule.rule.resourceNames.length === 0);
      const listing = verbsOf(unrestricted, (r) => r.verb !== 'get');
      if (listing.length > 0) {
        ctx.report({
          messageId: 'listAll',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: { ...grantData(risk, unrestricted), verbs: joinWords(verbsOf(unrestricted)) },
        });
        continue;
      }
      if (unrestricted.length > 0) {
        ctx.report({
          messageId: 'getAny',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: grantData(risk, unrestricted),
        });
        continue;
      }
      // Only rules limited to names: fine when a service account reads, in its own namespace, the
      // Secrets its own workloads use; anything beyond that is reported.
      let names = [...new Set(risk.matches.flatMap((m) => m.rule.rule.resourceNames))];
      const ref = risk.ref;
      if (ref.kind === 'ServiceAccount' && risk.binding.kind === 'RoleBinding' && risk.binding.namespace === ref.namespace) {
        const namespace = ref.namespace ?? '';
        let accounts = used.get(namespace);
        if (accounts === undefined) {
          accounts = secretsByServiceAccount(inventory, namespace);
          used.set(namespace, accounts);
        }
        const own = accounts.get(`${namespace}/${ref.name}`) ?? new Set<string>();
        names = names.filter((name) => !own.has(name));
      }
      if (names.length === 0) continue;
      ctx.report({
        messageId: 'named',
        severity: 'medium',
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk), names: joinWords(names.map((n) => `"${n}"`)) },
      });
    }
  },
});
