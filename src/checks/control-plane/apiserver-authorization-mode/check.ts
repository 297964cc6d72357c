import { defineCheck } from '../../define-check.js';
import { flagValue, invocationFor, listFlag, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-authorization-mode',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server authorization is not Node and RBAC',
    area: 'control-plane',
    defaultSeverity: 'critical',
    frameworks: { cis: ['1.2.6', '1.2.7', '1.2.8'], nsa: ['Role-based access control'], mitre: ['T1078'] },
    description:
      'The authorization mode decides what an authenticated request may do. `AlwaysAllow` (the default when no mode is given) lets every authenticated identity do everything; without `RBAC` roles and bindings are ignored; without `Node` the kubelets are not confined to their own node’s objects.',
    remediation: 'Start kube-apiserver with `--authorization-mode=Node,RBAC` (plus `Webhook` if you use one), and never `AlwaysAllow`.',
  },
  messages: {
    unset:
      'kube-apiserver sets no --authorization-mode, which defaults to AlwaysAllow: every authenticated request is allowed. Set --authorization-mode=Node,RBAC.',
    alwaysAllow: 'kube-apiserver --authorization-mode={{modes}} includes AlwaysAllow: every authenticated request is allowed. Remove it.',
    noNode:
      'kube-apiserver --authorization-mode={{modes}} does not include Node, so kubelets are not restricted to their own node. Add Node.',
    noRbac: 'kube-apiserver --authorization-mode={{modes}} does not include RBAC, so Roles and bindings are not enforced. Add RBAC.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    const { items, pointer } = listFlag(apiserver, 'authorization-mode');
    if (items.length === 0) {
      // Structured authorization (--authorization-config) replaces the flag; its authorizers are in that file.
      if (flagValue(apiserver, 'authorization-config') !== undefined) {
        ctx.notApplicable();
        return;
      }
      ctx.report({ messageId: 'unset', pointer: apiserver.missingPointer, frameworks: { cis: ['1.2.6', '1.2.7', '1.2.8'] } });
      return;
    }
    const at = pointer ?? apiserver.missingPointer;
    const modes = items.join(',');
    if (items.includes('AlwaysAllow'))
      ctx.report({ messageId: 'alwaysAllow', pointer: at, data: { modes }, frameworks: { cis: ['1.2.6'] } });
    if (!items.includes('Node'))
      ctx.report({
        messageId: 'noNode',
        pointer: at,
        data: { modes },
        severity: 'high',
        frameworks: { cis: ['1.2.7'], nsa: ['Role-based access control'] },
      });
    if (!items.includes('RBAC'))
      ctx.report({ messageId: 'noRbac', pointer: at, data: { modes }, frameworks: { cis: ['1.2.8'], nsa: ['Role-based access control'] } });
  },
});
