import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { scanObjects, type ScanReport } from '../checks/scan.js';
import { complianceReport } from '../compliance/evaluate.js';
import { UsageError } from '../core/errors.js';
import { FRAMEWORKS, type FrameworkId } from '../core/frameworks.js';
import { isAtLeast, SEVERITIES, type Severity } from '../core/severity.js';
import { shouldColor } from '../report/colors.js';
import { formatSummaryLine } from '../report/format-summary.js';
import { COMPLIANCE_FORMATS, complianceSummaryLine, formatCompliance, type ComplianceFormat } from '../report/compliance.js';
import { formatReport, OUTPUT_FORMATS, type OutputFormat } from '../report/formats.js';
import { StoreAwareExceptionMatcher } from '../server/stored-exceptions.js';
import { readCluster } from '../sources/cluster.js';
import { loadFlagsFiles } from '../sources/flags-file.js';
import { DEFAULT_MAX_FILE_BYTES, loadInputs } from '../sources/load-inputs.js';
import { loadVulnerabilityReports } from '../sources/vulnerability-reports.js';
import { DEFAULT_YAML_LIMITS } from '../sources/yaml-documents.js';
import { openStore } from '../store/open-store.js';
import type { StoredException } from '../store/store.js';
import { addClusterOptions, kubeApiOf, type ClusterFlags } from './cluster-options.js';
import { emit, EXIT, listOption, mebibytes, type CliIo } from './io.js';
import { loadConfig } from './load-config.js';

interface ScanFlags extends ClusterFlags {
  cluster?: boolean;
  format: OutputFormat;
  output?: string;
  failOn: Severity | 'none';
  config?: string;
  only: string[];
  skip: string[];
  showSuppressed?: boolean;
  annotationExceptions: boolean;
  auditExceptions?: boolean;
  defaultNamespace?: string;
  strict?: boolean;
  maxFileSize?: number;
  maxDocumentSize?: number;
  color?: boolean;
  exceptionsStore?: string;
  framework?: FrameworkId;
  vulns: string[];
  controlPlaneFlags: string[];
}

/** Collect a repeatable option's values as given (file names may contain commas). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The exit code for a finished scan (DESIGN.md: 0 clean, 1 findings at or above --fail-on, 2 input error). */
export function scanExitCode(report: ScanReport, flags: Pick<ScanFlags, 'failOn' | 'strict' | 'auditExceptions'>): number {
  if (report.problems.some((p) => p.code === 'not-found')) return EXIT.usage;
  if (report.summary.objects === 0) return EXIT.usage;
  if (flags.strict === true && report.summary.inputErrors > 0) return EXIT.usage;
  const failOn = flags.failOn;
  if (failOn !== 'none' && report.findings.some((f) => f.suppression === undefined && isAtLeast(f.severity, failOn))) return EXIT.findings;
  if (flags.auditExceptions === true && report.staleExceptions.length > 0) return EXIT.findings;
  return EXIT.ok;
}

/** The exceptions kept in a store; a SQLite file that does not exist is an error, not a new empty store. */
async function storedExceptions(spec: string, cwd: string): Promise<StoredException[]> {
  const isPostgres = /^postgres(?:ql)?:\/\//i.test(spec);
  const file = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec;
  if (!isPostgres && file !== ':memory:' && !existsSync(resolve(cwd, file))) {
    throw new UsageError(`--exceptions-store ${spec}: no such store`, {
      hint: 'Give the SQLite file or postgres:// URL the monitor or `vigil dashboard` uses (--store).',
    });
  }
  const store = await openStore(spec, { dataDir: '.', cwd });
  try {
    return await store.exceptions();
  } finally {
    await store.close();
  }
}

export function scanCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = new Command('scan')
    .summary('check manifests for security problems')
    .description(
      'Read Kubernetes manifests (files, folders, globs, - for stdin; YAML or JSON; Lists; kustomizations) and report security problems.',
    )
    .argument('[paths...]', 'files, folders (recursive), globs, or - for standard input (none with --cluster)')
    .option('--cluster', 'scan the live cluster of the kubeconfig instead of files (-n then reads one namespace)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file (the summary still goes to stderr)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity stands')
        .choices([...SEVERITIES, 'none'])
        .default('none'),
    )
    .option('-c, --config <file>', 'configuration file (default: ./.vigil.yaml when present)')
    .option('--only <checks>', 'run only these check ids or globs (comma-separated, repeatable)', listOption, [])
    .option('--skip <checks>', 'skip these check ids or globs (comma-separated, repeatable)', listOption, [])
    .option('--show-suppressed', 'show suppressed findings in the table (machine formats always include them)')
    .option('--no-annotation-exceptions', `ignore vigil.dev/ignore annotations (whoever deploys a workload controls its annotations)`)
    .option(
      '--exceptions-store <store>',
      'also honour the exceptions written from the dashboard into this store (postgres://… or a SQLite file)',
    )
    .option('--audit-exceptions', 'list exceptions that are expired or matched nothing, and exit 1 if there are any')
    .option('-n, --default-namespace <namespace>', 'namespace for objects that do not name one', 'default')
    .option('--strict', 'exit 2 when any document could not be read')
    .option('--max-file-size <MiB>', `refuse larger files (default ${DEFAULT_MAX_FILE_BYTES / 1048576})`, mebibytes)
    .option(
      '--max-document-size <MiB>',
      `refuse larger YAML documents (default ${DEFAULT_YAML_LIMITS.maxDocumentChars / 1048576})`,
      mebibytes,
    )
    .addOption(
      new Option('--framework <framework>', 'report per-control compliance status and a score instead of findings').choices(
        Object.keys(FRAMEWORKS),
      ),
    )
    .option('--vulns <file>', 'Trivy or Grype JSON image report: map its vulnerabilities onto workloads (repeatable)', collect, [])
    .option(
      '--control-plane-flags <[component=]file>',
      'command-line flags of kube-apiserver, kube-controller-manager, kube-scheduler or etcd, read from a file (repeatable)',
      collect,
      [],
    )
    .option('--color', 'force colour')
    .option('--no-color', 'never colour');
  addClusterOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  vigil scan k8s/ prod.yaml
  helm template my-chart | vigil scan -
  vigil scan k8s/ --format sarif -o vigil.sarif --fail-on high
  vigil scan k8s/ --only 'images/*' --format json
  vigil scan --cluster --context prod -n shop
  vigil scan cluster-dump/ --framework cis
  vigil scan k8s/ --vulns trivy-api.json --vulns grype-web.json
  vigil scan --control-plane-flags kube-apiserver=/tmp/apiserver.args --framework cis

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or input error
(including a scan that found no Kubernetes object at all).`,
    )
    .action(async (paths: string[], flags: ScanFlags, self: Command) => {
      const config = loadConfig(flags.config, io.cwd);
      if (flags.output !== undefined && flags.output === '') throw new UsageError('--output needs a file name');
      if (flags.cluster === true && paths.length > 0) throw new UsageError('give paths or --cluster, not both');
      if (flags.cluster !== true && paths.length === 0 && flags.controlPlaneFlags.length === 0) {
        throw new UsageError('nothing to scan', {
          hint: 'Give files, folders or globs (- for standard input), --cluster for the live cluster, or --control-plane-flags.',
        });
      }
      const framework = flags.framework;
      if (framework !== undefined && !(COMPLIANCE_FORMATS as readonly string[]).includes(flags.format)) {
        throw new UsageError(`--framework reports as ${COMPLIANCE_FORMATS.join(', ')}, not ${flags.format}`);
      }
      // With --cluster, -n names the namespace to read, as in kubectl.
      const namespace =
        flags.cluster === true && self.getOptionValueSource('defaultNamespace') === 'cli' ? flags.defaultNamespace : undefined;
      const loaded =
        flags.cluster === true
          ? await readCluster(kubeApiOf(flags), namespace === undefined ? {} : { namespace }).then((cluster) => ({
              objects: cluster.objects,
              problems: cluster.problems,
              stats: {
                files: 0,
                documents: cluster.objects.length,
                emptyDocuments: 0,
                skippedDocuments: 0,
                objects: cluster.objects.length,
              },
            }))
          : await loadInputs(paths, {
              ...(flags.maxFileSize === undefined ? {} : { maxFileBytes: flags.maxFileSize }),
              limits: {
                ...DEFAULT_YAML_LIMITS,
                ...(flags.maxDocumentSize === undefined ? {} : { maxDocumentChars: flags.maxDocumentSize }),
              },
              ...(io.readStdin === undefined ? {} : { readStdin: io.readStdin }),
            });
      const stored = flags.exceptionsStore === undefined ? undefined : await storedExceptions(flags.exceptionsStore, io.cwd);
      // Scanner reports and flags files become objects beside the manifests (see their readers).
      const vulns = loadVulnerabilityReports(flags.vulns);
      const controlPlane = loadFlagsFiles(flags.controlPlaneFlags);
      const report = scanObjects(
        [...loaded.objects, ...vulns.objects, ...controlPlane.objects],
        loaded.stats,
        [...loaded.problems, ...vulns.problems, ...controlPlane.problems],
        {
          config,
          ...(stored === undefined
            ? {}
            : {
                exceptionMatcher: (c: typeof config, o: { annotations: boolean; today: string }) => {
                  const matcher = new StoreAwareExceptionMatcher(c, o);
                  matcher.replace(stored);
                  return matcher;
                },
              }),
          only: flags.only,
          skip: flags.skip,
          ...(!flags.annotationExceptions ? { annotationExceptions: false } : {}),
          ...(flags.format === 'junit' || framework !== undefined ? { collectEvaluations: true } : {}),
          ...(flags.defaultNamespace === undefined ? {} : { defaultNamespace: flags.defaultNamespace }),
          ...(namespace === undefined ? {} : { scopeNamespace: namespace }),
        },
      );
      const toFile = flags.output !== undefined && flags.output !== '-';
      const color = flags.color ?? (!toFile && shouldColor(io.stdout, io.env));
      const compliance = framework === undefined ? undefined : complianceReport(report, framework);
      const text =
        compliance === undefined
          ? formatReport(report, flags.format, {
              color: flags.format === 'table' && color,
              ...(flags.showSuppressed === true ? { showSuppressed: true } : {}),
              ...(flags.auditExceptions === true ? { showStaleExceptions: true } : {}),
            })
          : formatCompliance(compliance, report, flags.format as ComplianceFormat, { color: flags.format === 'table' && color });
      emit(io, text, flags.output);
      if (toFile || flags.format !== 'table') {
        // Machine output goes to stdout or a file; people and CI logs still get the gist.
        const gist = compliance === undefined ? formatSummaryLine(report.summary) : complianceSummaryLine(compliance);
        if (toFile || io.stderr.isTTY === true) io.stderr.write(`vigil: ${gist}${toFile ? ` → ${flags.output}` : ''}\n`);
        const errors = report.problems.filter((p) => p.level === 'error');
        for (const p of errors.slice(0, 20))
          io.stderr.write(`vigil: ${p.location.file}${p.location.line === undefined ? '' : `:${p.location.line}`}: ${p.message}\n`);
        if (errors.length > 20) io.stderr.write(`vigil: … and ${errors.length - 20} more input errors (see the report)\n`);
      }
      if (report.summary.objects === 0) {
        io.stderr.write('vigil: no Kubernetes objects found in the input, so nothing was checked (exit 2).\n');
        io.stderr.write('  hint: check the paths; a CI job that scans nothing should fail, not pass.\n');
      }
      setExit(scanExitCode(report, flags));
    });
}
