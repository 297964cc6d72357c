import { readFileSync } from 'node:fs';

import { Option, type Command } from 'commander';
import picomatch from 'picomatch';

import { loadFalcoRules, type FalcoRuleFile, type FalcoRuleset, type RuleMatching } from '../audit/falco/ruleset.js';
import type { DetectionRule } from '../audit/rule.js';
import { describeError, VigilError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import type { CliIo } from './io.js';

/** Flags of `vigil audit scan` for Falco rules files. */
export interface FalcoFlags {
  falcoRules: string[];
  ruleMatching: RuleMatching;
  only: string[];
  skip: string[];
  cluster?: string | undefined;
}

/** Add `--falco-rules` and `--rule-matching` to a command. */
export function withFalcoFlags(command: Command): Command {
  return command
    .option(
      '--falco-rules <file>',
      'Falco rules file with k8s_audit rules, loaded beside the Vigil rules (repeat the flag for more files, in load order: later files append to or override earlier ones)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(
      new Option(
        '--rule-matching <mode>',
        "Falco's rule_matching: all (every matching Falco rule alerts) or first (only the first matching Falco rule, in load order, per event)",
      )
        .choices(['all', 'first'])
        .default('all'),
    );
}

/** The loaded Falco rules that --only/--skip select, and the ruleset (for its stats). */
export interface FalcoForCli {
  readonly rules: DetectionRule[];
  readonly ruleset: FalcoRuleset | undefined;
}

/**
 * Read the --falco-rules files, print every problem with file, line and column, and stop (exit 2)
 * when a rule cannot be loaded: running a ruleset with rules silently missing would look like
 * coverage it does not have. --only and --skip select Falco rules by name as they do Vigil rules.
 */
export function loadFalcoRulesForCli(io: CliIo, flags: FalcoFlags): FalcoForCli {
  if (flags.falcoRules.length === 0) return { rules: [], ruleset: undefined };
  const files: FalcoRuleFile[] = flags.falcoRules.map((file) => {
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (err: unknown) {
      throw new VigilError(`cannot read Falco rules ${file}: ${describeError(err)}`, {
        hint: 'Give the path of a Falco rules file (YAML: - rule:, - macro:, - list:).',
        cause: err,
      });
    }
  });
  const ruleset = loadFalcoRules(files, {
    ruleMatching: flags.ruleMatching,
    ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
  });
  for (const p of ruleset.problems) io.stderr.write(`vigil: falco: ${formatSourceLocation(p.location)}: ${p.level}: ${p.message}\n`);
  const errors = ruleset.problems.filter((p) => p.level === 'error');
  if (errors.length > 0)
    throw new VigilError(`${errors.length} problem(s) in the Falco rules files; no rule was run`, {
      hint: 'Fix the items named above (docs/falco-rules.md lists the supported syntax and fields), or leave their file out.',
    });
  const only = flags.only.map((p) => picomatch(p));
  const skip = flags.skip.map((p) => picomatch(p));
  const rules = ruleset.rules.filter((r) => (only.length === 0 || only.some((m) => m(r.id))) && !skip.some((m) => m(r.id)));
  const enabled = rules.filter((r) => r.enabled).length;
  io.stderr.write(
    `vigil: falco: ${rules.length} k8s_audit rule(s) (${enabled} enabled) from ${ruleset.counts.files} file(s), ${ruleset.counts.lists} list(s), ${ruleset.counts.macros} macro(s); rule matching: ${flags.ruleMatching}\n`,
  );
  return { rules, ruleset };
}

/** The line for the end of a scan: events no Falco rule saw, when there were any. */
export function falcoScanNote(falco: FalcoForCli): string {
  const skipped = falco.ruleset?.stats.skippedEvents ?? 0;
  if (skipped === 0) return '';
  return `vigil: falco: ${skipped} event(s) without a readable stageTimestamp were not shown to the Falco rules (Falco's k8saudit plugin drops them; Vigil's rules saw them)\n`;
}
