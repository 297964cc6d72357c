import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, invocationFor, LOOPBACK, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/scheduler',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'Scheduler exposes profiling or listens beyond loopback',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: { cis: ['1.4.1', '1.4.2'], nsa: ['Control plane hardening'], mitre: ['T1613'] },
    description:
      'kube-scheduler needs no network clients but the API server and local health checks. Profiling endpoints (on by default) reveal internals and can be used to load it; listening on every address exposes them and its metrics to the network.',
    remediation: 'Start kube-scheduler with `--profiling=false` and `--bind-address=127.0.0.1`.',
  },
  messages: {
    profiling: 'kube-scheduler {{how}}; set --profiling=false.',
    bindAddress: 'kube-scheduler {{how}}, exposing its endpoints beyond the node; set --bind-address=127.0.0.1.',
  },
  run(subject, ctx) {
    const scheduler = invocationFor('kube-scheduler', subject, ctx);
    if (scheduler === undefined) return;
    const profiling = flagOf(scheduler, 'profiling');
    if (boolFlag(scheduler, 'profiling', true) !== false) {
      ctx.report({
        messageId: 'profiling',
        pointer: profiling?.pointer ?? scheduler.missingPointer,
        data: {
          how: profiling === undefined ? 'leaves --profiling at its default (true)' : `sets --profiling=${profiling.value ?? 'true'}`,
        },
        frameworks: { cis: ['1.4.1'] },
      });
    }
    const bind = flagOf(scheduler, 'bind-address');
    const address = bind?.value?.trim();
    if (address === undefined || !LOOPBACK.has(address)) {
      ctx.report({
        messageId: 'bindAddress',
        pointer: bind?.pointer ?? scheduler.missingPointer,
        data: {
          how: address === undefined ? 'listens on all addresses (no --bind-address; the default is 0.0.0.0)' : `listens on ${address}`,
        },
        frameworks: { cis: ['1.4.2'] },
      });
    }
  },
});
