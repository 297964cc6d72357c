import { readFileSync } from 'node:fs';

import { Command, Option } from 'commander';
import picomatch from 'picomatch';

import { builtinRuleFiles } from '../audit/builtin-rules.js';
import type { ContextHolder } from '../audit/cel.js';
import { AuditContext } from '../audit/context.js';
import type { DetectionRule } from '../audit/rule.js';
import { loadVigilRules, type RuleFileText } from '../audit/vigil-rules.js';
import { describeError, UsageError, VigilError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import { Inventory } from '../inventory/inventory.js';
import { loadInputs } from '../sources/load-inputs.js';
import { emit, listOption, type CliIo } from './io.js';

/** Flags every audit command that runs rules shares. */
export interface RuleFlags {
  rules: string[];
  builtinRules: boolean;
  only: string[];
  skip: string[];
  context: string[];
}

/**
 * `--only`/`--skip` values split at commas only: Falco rule names hold spaces (`K8s Secret Created`),
 * and Vigil rule ids never do.
 */
function ruleNames(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** Add the rule-selection flags to a command. */
export function withRuleFlags(command: Command): Command {
  return command
    .option(
      '--rules <file>',
      'rule file(s) to load beside the built-in rules (repeatable); a rule with a built-in id replaces it',
      listOption,
      [],
    )
    .option('--no-builtin-rules', 'do not load the built-in rules')
    .option('--only <rules>', 'run only these rule ids or names, or globs (comma-separated, repeatable)', ruleNames, [])
    .option('--skip <rules>', 'skip these rule ids or names, or globs (comma-separated, repeatable)', ruleNames, [])
    .option('--context <paths...>', 'Kubernetes manifests (files, folders) describing the cluster, for context in conditions and alerts');
}

/**
 * Load the built-in and given rule files, report problems, and apply --only/--skip. Throws when a given
 * file cannot be read or a rule is broken, or when no rule is selected and there are no `otherRules`
 * (rules of another language, such as Falco rules, that will run beside these).
 */
export function loadRulesForCli(io: CliIo, flags: RuleFlags, holder: ContextHolder, otherRules = 0): DetectionRule[] {
  const files: RuleFileText[] = flags.builtinRules ? builtinRuleFiles() : [];
  for (const file of flags.rules) {
    try {
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (err: unknown) {
      throw new VigilError(`cannot read rules ${file}: ${describeError(err)}`, {
        hint: 'Give the path of a rule file (YAML with rules:).',
        cause: err,
      });
    }
  }
  const loaded = loadVigilRules(files, holder);
  for (const p of loaded.problems) io.stderr.write(`vigil: ${formatSourceLocation(p.location)}: ${p.level}: ${p.message}\n`);
  const errors = loaded.problems.filter((p) => p.level === 'error');
  if (errors.length > 0)
    throw new VigilError(`${errors.length} rule(s) could not be loaded`, {
      hint: 'Fix the rules named above (docs/audit.md describes the format), or leave their file out.',
    });
  const only = flags.only.map((p) => picomatch(p));
  const skip = flags.skip.map((p) => picomatch(p));
  const selected = loaded.rules.filter((r) => (only.length === 0 || only.some((m) => m(r.id))) && !skip.some((m) => m(r.id)));
  if (selected.length === 0 && otherRules === 0) throw new UsageError('no rule is selected: check --only, --skip and --no-builtin-rules');
  return selected;
}

/** Read --context manifests into the holder (problems are printed, not fatal). */
export async function loadContextForCli(io: CliIo, paths: readonly string[] | undefined, holder: ContextHolder): Promise<void> {
  if (paths === undefined || paths.length === 0) return;
  const loaded = await loadInputs(paths, io.readStdin === undefined ? {} : { readStdin: io.readStdin });
  for (const p of loaded.problems.filter((x) => x.level === 'error').slice(0, 20))
    io.stderr.write(`vigil: context: ${formatSourceLocation(p.location)}: ${p.message}\n`);
  if (loaded.problems.some((p) => p.code === 'not-found'))
    throw new UsageError(`--context: ${loaded.problems.find((p) => p.code === 'not-found')?.location.file ?? ''} not found`);
  const { inventory } = Inventory.from(loaded.objects);
  holder.context = new AuditContext(inventory);
  io.stderr.write(`vigil: context: ${loaded.objects.length} objects, ${inventory.podTemplates().length} workloads\n`);
}

/** `vigil audit rules`: list the rules that would run. */
export function auditRulesCommand(io: CliIo): Command {
  return withRuleFlags(
    new Command('rules')
      .summary('list the detection rules')
      .description(
        'List the built-in detection rules (and those of --rules files) with severity, MITRE techniques and the audit level each needs.',
      ),
  )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: RuleFlags & { format: 'text' | 'json' }) => {
      const rules = loadRulesForCli(io, flags, {});
      if (flags.format === 'json') {
        const out = rules.map((r) => ({
          id: r.id,
          title: r.title,
          severity: r.severity,
          mitre: r.mitre,
          tags: r.tags,
          requires: r.requires,
          state: r.state?.kind ?? null,
          description: r.description,
          origin: r.origin,
        }));
        emit(io, `${JSON.stringify(out, null, 2)}\n`, undefined);
        return;
      }
      const width = Math.max(...rules.map((r) => r.id.length));
      const lines = rules.map(
        (r) =>
          `${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.requires.level.padEnd(15)}  ${r.mitre.join(',').padEnd(16)}  ${r.title}`,
      );
      emit(io, `${'rule'.padEnd(width)}  severity  needs level      MITRE             title\n${lines.join('\n')}\n`, undefined);
    });
}
