import { z } from 'zod';

import { defineCheck } from '../../define-check.js';
import { flagOf, flagValue, invocationFor, type Invocation, CONTROL_PLANE_KINDS } from '../component-flags.js';

const options = z
  .object({
    /** Days of audit logs to keep (`--audit-log-maxage`), CIS 1.2.17. */
    minAgeDays: z.number().int().positive().default(30),
    /** Rotated audit log files to keep (`--audit-log-maxbackup`), CIS 1.2.18. */
    minBackups: z.number().int().positive().default(10),
    /** Megabytes per audit log file before rotation (`--audit-log-maxsize`), CIS 1.2.19. */
    minSizeMB: z.number().int().positive().default(100),
  })
  .strict();

type Retention = 'audit-log-maxage' | 'audit-log-maxbackup' | 'audit-log-maxsize';

export default defineCheck({
  id: 'control-plane/apiserver-audit-log',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server audit logging is off or kept too briefly',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: {
      cis: ['1.2.16', '1.2.17', '1.2.18', '1.2.19', '3.2.1'],
      nsa: ['Logging', 'Kubernetes native audit logging configuration'],
      mitre: ['T1562.001', 'T1070'],
    },
    description:
      'The audit log is the record of who did what through the API: without an audit policy no events are recorded at all, without a log path they go nowhere, and with short retention the evidence is gone before an intrusion is noticed.',
    remediation:
      'Start kube-apiserver with `--audit-policy-file`, `--audit-log-path`, `--audit-log-maxage=30`, `--audit-log-maxbackup=10` and `--audit-log-maxsize=100` (or your retention policy), and ship the log off the node.',
  },
  messages: {
    noPolicy: 'kube-apiserver sets no --audit-policy-file, so no audit events are recorded; give it an audit policy.',
    noPath: 'kube-apiserver sets no --audit-log-path, so audit events are not written to a log file; set it.',
    unset: 'kube-apiserver does not set --{{flag}}; set it to at least {{min}} ({{what}}).',
    tooLow: 'kube-apiserver sets --{{flag}}={{value}}, below {{min}} ({{what}}).',
  },
  options,
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    if (flagValue(apiserver, 'audit-policy-file') === undefined) {
      ctx.report({
        messageId: 'noPolicy',
        pointer: apiserver.missingPointer,
        frameworks: { cis: ['3.2.1'], nsa: ['Kubernetes native audit logging configuration'] },
      });
    }
    const path = flagValue(apiserver, 'audit-log-path');
    if (path === undefined)
      ctx.report({ messageId: 'noPath', pointer: apiserver.missingPointer, frameworks: { cis: ['1.2.16'], nsa: ['Logging'] } });
    // Logging to standard output (`-`) leaves rotation to the container runtime.
    if (path === '-') return;
    const retention: readonly [Retention, number, string, string][] = [
      ['audit-log-maxage', ctx.options.minAgeDays, 'days of audit logs kept', '1.2.17'],
      ['audit-log-maxbackup', ctx.options.minBackups, 'rotated audit log files kept', '1.2.18'],
      ['audit-log-maxsize', ctx.options.minSizeMB, 'megabytes per audit log file', '1.2.19'],
    ];
    for (const [flag, min, what, cis] of retention) checkRetention(apiserver, flag, min, what, cis, ctx);
  },
});

function checkRetention(
  apiserver: Invocation,
  flag: Retention,
  min: number,
  what: string,
  cis: string,
  ctx: {
    report(d: {
      messageId: 'unset' | 'tooLow';
      pointer: string;
      data: Record<string, string | number>;
      frameworks: { cis: string[] };
    }): void;
  },
): void {
  const set = flagOf(apiserver, flag);
  const value = set?.value === undefined ? Number.NaN : Number(set.value);
  if (set === undefined) {
    ctx.report({ messageId: 'unset', pointer: apiserver.missingPointer, data: { flag, min, what }, frameworks: { cis: [cis] } });
  } else if (!Number.isFinite(value) || value < min) {
    ctx.report({
      messageId: 'tooLow',
      pointer: set.pointer,
      data: { flag, min, what, value: set.value ?? '' },
      frameworks: { cis: [cis] },
    });
  }
}
