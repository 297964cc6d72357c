import { Command } from 'commander';

import { auditPolicyCommand } from './audit-policy.js';
import { auditRulesCommand } from './audit-rules.js';
import { auditScanCommand } from './audit-scan.js';
import { auditServeCommand } from './audit-serve.js';
import { auditWorkCommand } from './audit-work.js';
import type { CliIo } from './io.js';

/** `vigil audit`: the audit policy (what gets recorded) and detection on the audit log (what was recorded). */
export function auditCommand(io: CliIo, setExit: (code: number) => void): Command {
  const audit = new Command('audit')
    .summary('audit policy evaluation and linting; threat detection on audit logs')
    .description(
      'Kubernetes auditing: evaluate and lint the audit Policy, and detect threats in audit events from files or a live webhook.',
    );
  for (const sub of [
    auditScanCommand(io, setExit),
    auditServeCommand(io, setExit),
    auditWorkCommand(io, setExit),
    auditRulesCommand(io),
    auditPolicyCommand(io, setExit),
  ]) {
    audit.addCommand(sub.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }));
  }
  return audit;
}
