import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/create-pods',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can create pods or workloads',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.4'], nsa: ['Authentication and authorization'], mitre: ['T1610'] },
    description:
      'Whoever can create a pod (directly, or through a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob or ReplicationController) can run it as any service account of the namespace, mount any of its Secrets and ConfigMaps, and — unless Pod Security admission stops it — run it privileged on a node.',
    remediation:
      'Grant create on pods and workloads only to deployment pipelines and namespace owners, enforce Pod Security admission in every namespace, and keep powerful service accounts out of namespaces where others create pods.',
  },
  messages: {
    create:
      '{{subject}} can create {{kinds}} {{where}} through {{binding}} ({{via}}): a pod it creates can run as any service account there and mount any of its Secrets.',
    update:
      '{{subject}} can update the pod templates of {{kinds}} {{where}} through {{binding}} ({{via}}): the pods they create can run as any service account there and mount any of its Secrets.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.createPods, judgedSubjects(ctx.options))) {
      const create = risk.matches.filter((m) => m.request.verb === 'create');
      const matches = create.length > 0 ? create : risk.matches;
      const kinds = [...new Set(matches.map((m) => m.request.resource))];
      ctx.report({
        messageId: create.length > 0 ? 'create' : 'update',
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk, matches), kinds: joinWords(kinds) },
      });
    }
  },
});
