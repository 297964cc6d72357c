import { z } from 'zod';

import { defineCheck } from '../../define-check.js';

const options = z
  .object({
    /** Namespaces of the control plane, not judged. */
    systemNamespaces: z.array(z.string()).default(['kube-system', 'kube-public', 'kube-node-lease']),
  })
  .strict();

export default defineCheck({
  id: 'resources/namespace-quota',
  target: 'Object',
  kinds: ['Namespace'],
  reads: ['ResourceQuota', 'LimitRange'],
  localReads: ['ResourceQuota', 'LimitRange'],
  meta: {
    title: 'Namespace has no ResourceQuota or LimitRange',
    area: 'resources',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Resource policies'], mitre: ['T1496', 'T1499'] },
    description:
      'Without a ResourceQuota a namespace can consume the whole cluster (pods, CPU, memory, storage, Services of type LoadBalancer); without a LimitRange its containers get no default requests and limits. One runaway or compromised tenant then starves the others.',
    remediation: 'Give every application namespace a ResourceQuota sized for it and a LimitRange with default requests and limits.',
  },
  messages: {
    noQuota: 'Namespace "{{name}}" has no ResourceQuota; what it may consume of the cluster is unbounded.',
    noLimitRange: 'Namespace "{{name}}" has no LimitRange; containers without requests and limits get no defaults there.',
  },
  options,
  run({ object, inventory }, ctx) {
    const name = object.metadata.name;
    if (ctx.options.systemNamespaces.includes(name)) {
      ctx.notApplicable();
      return;
    }
    if (inventory.ofKind('ResourceQuota', { group: '', namespace: name }).length === 0)
      ctx.report({ messageId: 'noQuota', key: 'ResourceQuota', data: { name } });
    if (inventory.ofKind('LimitRange', { group: '', namespace: name }).length === 0)
      ctx.report({ messageId: 'noLimitRange', key: 'LimitRange', data: { name } });
  },
});
