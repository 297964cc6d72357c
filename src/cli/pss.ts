import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { Command, Option } from 'commander';

import {
  analyzeNamespaces,
  isPssLevel,
  judgeWorkloads,
  parsePolicyVersion,
  PSS_LEVELS,
  readPodSecurityConfiguration,
  type PodSecurityConfiguration,
} from '../analysis/pss/index.js';
import { configurationOf } from '../checks/pod-security/namespace-analysis.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { Inventory } from '../inventory/inventory.js';
import { createStyle, shouldColor } from '../report/colors.js';
import { loadInputs } from '../sources/load-inputs.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { emit, EXIT, type CliIo } from './io.js';
import { namespacesJson, namespacesTable, pssJson, pssTable } from './pss-output.js';

interface PssFlags {
  level?: string;
  version?: string;
  format: 'table' | 'json';
  exemptions?: string;
  namespaces?: boolean;
  user?: string;
  defaultNamespace: string;
  output?: string;
  color?: boolean;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read ${file}: ${describeError(err)}`, { hint: 'Check the --exemptions path.', cause: err });
  }
}

/**
 * The PodSecurity admission configuration in a file: a PodSecurityConfiguration, or the API server's
 * AdmissionConfiguration (embedding it, or naming its file relative to itself).
 */
export function readExemptionsFile(file: string, depth = 0): PodSecurityConfiguration {
  const read = readManifestText(readText(file), file, 'auto', undefined, { withPositions: false });
  const bad = read.problems.find((p) => p.level === 'error');
  if (bad !== undefined) throw new VigilError(`${file}: ${bad.message}`, { ...(bad.hint === undefined ? {} : { hint: bad.hint }) });
  for (const { object } of read.objects) {
    const config = readPodSecurityConfiguration(object);
    switch (config.status) {
      case 'absent':
        continue;
      case 'ok':
        return config.configuration;
      case 'invalid':
        throw new VigilError(
          `${file}: invalid PodSecurityConfiguration: ${config.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          {
            hint: 'The API server would refuse to start with it; fix the fields named.',
          },
        );
      case 'file':
        if (depth > 0) break;
        return readExemptionsFile(resolve(dirname(file), config.file), depth + 1);
    }
  }
  throw new VigilError(`${file}: no PodSecurityConfiguration found`, {
    hint: 'Give a PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1) or an AdmissionConfiguration with a PodSecurity plugin.',
  });
}

export function pssCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('pss')
    .summary('judge pods and pod templates against the Pod Security Standards')
    .description(
      'For every Pod and pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob, …), say whether the PodSecurity admission controller would allow it and why not, exactly as it would. Without --level each is judged at its namespace’s enforce policy (its pod-security.kubernetes.io labels, or the configured defaults).',
    )
    .argument('<paths...>', 'files, folders (recursive), globs, or - for standard input')
    .addOption(new Option('-l, --level <level>', 'judge every pod at this level instead of its namespace’s').choices(PSS_LEVELS))
    .option('--version <version>', 'policy version: latest (default) or v1.<minor>, e.g. v1.30')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--exemptions <file>', 'PodSecurityConfiguration or AdmissionConfiguration with defaults and exemptions')
    .option('--namespaces', 'print each namespace’s modes, violators per mode and the strictest level it could enforce')
    .option('--user <name>', 'the user that creates bare Pods, for username exemptions')
    .option('-n, --default-namespace <namespace>', 'namespace for objects that do not name one', 'default')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--color', 'force colour')
    .option('--no-color', 'never colour')
    .addHelpText(
      'after',
      `
Examples:
  vigil pss k8s/                               each pod at its namespace's enforce level
  vigil pss k8s/ --level restricted --version v1.30 --format json
  vigil pss k8s/ --namespaces                  modes, violators and what each namespace could enforce
  vigil pss k8s/ --exemptions admission.yaml   apply the API server's PodSecurity configuration

Exit codes: 0 every pod allowed (or exempt), 1 some pod denied, 2 usage or input error.`,
    )
    .action(async (paths: string[], flags: PssFlags) => {
      if (flags.level !== undefined && !isPssLevel(flags.level)) throw new UsageError(`--level: unknown level "${flags.level}"`);
      const version = flags.version === undefined ? undefined : parsePolicyVersion(flags.version);
      if (flags.version !== undefined && version === undefined) {
        throw new UsageError(`--version: "${flags.version}" is not a policy version`, {
          hint: 'Use latest or v1.<minor> without leading zeros or a patch number, such as v1.30.',
        });
      }
      if (flags.namespaces === true && (flags.level !== undefined || flags.version !== undefined)) {
        throw new UsageError('--namespaces judges each namespace at its own labels; leave out --level and --version');
      }
      const loaded = await loadInputs(paths, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
      // Documents that could not be read are skipped, never silently: name them (and count the rest).
      const errors = loaded.problems.filter((x) => x.level === 'error');
      for (const p of errors.slice(0, 20)) {
        io.stderr.write(`vigil: ${p.location.file}${p.location.line === undefined ? '' : `:${p.location.line}`}: ${p.message}\n`);
      }
      if (errors.length > 20) io.stderr.write(`vigil: … and ${errors.length - 20} more input errors (run vigil scan for all of them)\n`);
      if (loaded.problems.some((p) => p.code === 'not-found') || loaded.objects.length === 0) {
        io.stderr.write('vigil: no Kubernetes objects found in the input, so nothing was judged (exit 2).\n');
        setExit(EXIT.usage);
        return;
      }
      const { inventory } = Inventory.from(loaded.objects, { defaultNamespace: flags.defaultNamespace });
      const configuration = flags.exemptions === undefined ? configurationOf(inventory) : readExemptionsFile(flags.exemptions);
      const options = { configuration, ...(flags.user === undefined ? {} : { user: flags.user }) };
      const color = flags.color ?? (flags.output === undefined && shouldColor(io.stdout, io.env));
      const style = createStyle(flags.format === 'table' && color);
      if (flags.namespaces === true) {
        const reports = analyzeNamespaces(inventory, options);
        emit(
          io,
          flags.format === 'json' ? `${JSON.stringify(namespacesJson(reports), null, 2)}\n` : namespacesTable(reports, style),
          flags.output,
        );
        const denied = reports.some((r) => r.modes.enforce.violators.length > 0);
        setExit(denied ? EXIT.findings : EXIT.ok);
        return;
      }
      const verdicts = judgeWorkloads(inventory, {
        ...options,
        ...(flags.level !== undefined && isPssLevel(flags.level) ? { level: flags.level } : {}),
        ...(version === undefined ? {} : { version }),
      });
      if (verdicts.length === 0) io.stderr.write('vigil: the input holds no Pods or pod templates to judge.\n');
      emit(io, flags.format === 'json' ? `${JSON.stringify(pssJson(verdicts), null, 2)}\n` : pssTable(verdicts, style), flags.output);
      setExit(verdicts.some((v) => v.exemption === undefined && !v.result.allowed) ? EXIT.findings : EXIT.ok);
    });
}
