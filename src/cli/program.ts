import { Command, CommanderError } from 'commander';

import { VIGIL_VERSION } from '../core/version.js';
import { admissionCommand } from './admission.js';
import { auditCommand } from './audit.js';
import { runtimeCommand } from './runtime.js';
import { checksCommand } from './checks.js';
import { dashboardCommand } from './dashboard.js';
import { explainCommand } from './explain.js';
import { EXIT, reportError, type CliIo } from './io.js';
import { netpolCommand } from './netpol.js';
import { pssCommand } from './pss.js';
import { rbacCommand } from './rbac.js';
import { reportCommand } from './report.js';
import { monitorCommand } from './monitor.js';
import { scanCommand } from './scan.js';
import { snapshotCommand } from './snapshot.js';

/** Run the CLI in-process with the given arguments (without `node` and the script). Returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('vigil')
    .description('Kubernetes security monitoring: find what is wrong in manifests and clusters, why it matters, and how to fix it.')
    .version(VIGIL_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    // Program options only before the subcommand, so that `vigil pss --version v1.30` reaches pss.
    .enablePositionalOptions()
    .exitOverride();
  for (const command of [
    scanCommand(io, setExit),
    checksCommand(io),
    explainCommand(io),
    netpolCommand(io, setExit),
    rbacCommand(io, setExit),
    pssCommand(io, setExit),
    auditCommand(io, setExit),
    runtimeCommand(io, setExit),
    snapshotCommand(io, setExit),
    monitorCommand(io, setExit),
    admissionCommand(io, setExit),
    dashboardCommand(io, setExit),
    reportCommand(io, setExit),
  ]) {
    program.addCommand(
      command.exitOverride().configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) }),
    );
  }
  program.addHelpText(
    'after',
    `
Examples:
  vigil scan k8s/                       scan a folder of manifests
  vigil scan k8s/ --format sarif -o vigil.sarif --fail-on high
  vigil checks                          list every check
  vigil explain images/latest-tag       what a check means and how to fix it`,
  );
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err: unknown) {
    if (err instanceof CommanderError) {
      // Help and version are successful exits; every other parse failure is a usage error (2), not commander's 1.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(io, err);
  }
  return exitCode;
}
