import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, flagValue, invocationFor, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-anonymous-auth',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server accepts anonymous requests',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.1'], nsa: ['Authentication'], mitre: ['T1078.001'] },
    description:
      'With anonymous authentication on (the default), requests without credentials are served as `system:anonymous` in group `system:unauthenticated`. One RBAC binding to that group — by mistake, by an old chart, by an attacker with bind rights — opens the API to the whole network.',
    remediation:
      'Start kube-apiserver with `--anonymous-auth=false` (health checks can use an authenticated probe or the `/livez` exemption of an AuthenticationConfiguration).',
  },
  messages: {
    default: 'kube-apiserver does not set --anonymous-auth, which defaults to true; set --anonymous-auth=false.',
    enabled: 'kube-apiserver runs with --anonymous-auth={{value}}; set --anonymous-auth=false.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    const flag = flagOf(apiserver, 'anonymous-auth');
    // With structured authentication (--authentication-config) anonymous access is configured in that file.
    if (flag === undefined && flagValue(apiserver, 'authentication-config') !== undefined) {
      ctx.notApplicable();
      return;
    }
    if (boolFlag(apiserver, 'anonymous-auth', true) === false) return;
    if (flag === undefined) ctx.report({ messageId: 'default', pointer: apiserver.missingPointer });
    else ctx.report({ messageId: 'enabled', pointer: flag.pointer, data: { value: flag.value ?? 'true' } });
  },
});
