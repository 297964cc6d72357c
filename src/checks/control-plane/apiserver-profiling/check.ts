import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, invocationFor, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-profiling',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server exposes profiling endpoints',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: { cis: ['1.2.15'], nsa: ['Control plane hardening'], mitre: ['T1613'] },
    description:
      'With profiling on (the default) kube-apiserver serves Go pprof data under /debug/pprof: goroutine dumps and heap profiles that reveal internals, and CPU profiling that anyone allowed to reach it can use to load the server.',
    remediation: 'Start kube-apiserver with `--profiling=false`.',
  },
  messages: {
    default: 'kube-apiserver does not set --profiling, which defaults to true; set --profiling=false.',
    enabled: 'kube-apiserver runs with --profiling={{value}}; set --profiling=false.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    if (boolFlag(apiserver, 'profiling', true) === false) return;
    const flag = flagOf(apiserver, 'profiling');
    if (flag === undefined) ctx.report({ messageId: 'default', pointer: apiserver.missingPointer });
    else ctx.report({ messageId: 'enabled', pointer: flag.pointer, data: { value: flag.value ?? 'true' } });
  },
});
