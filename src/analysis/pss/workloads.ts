import type { Inventory } from '../../inventory/inventory.js';
import type { Exemption } from './admission-config.js';
import type { PssPolicy, PssResult } from './evaluate.js';
import type { PssLevel } from './levels.js';
import { analyzeNamespaces, type NamespaceAnalysisOptions, type WorkloadJudgement } from './namespaces.js';
import { LATEST, type PolicyVersion } from './policy-version.js';

/** One pod or pod template judged at one policy. */
export interface WorkloadVerdict {
  readonly workload: WorkloadJudgement;
  /** The policy it was judged at: the one asked for, or its namespace's enforce policy. */
  readonly policy: PssPolicy;
  readonly result: PssResult;
  /** Set when the admission controller would not evaluate it (the verdict then is what it would have been). */
  readonly exemption?: Exemption;
}

export interface WorkloadVerdictOptions extends NamespaceAnalysisOptions {
  /** Judge every workload at this level instead of its namespace's enforce level. */
  readonly level?: PssLevel;
  /** Judge at this version (with `level`, or replacing the namespace's enforce version). */
  readonly version?: PolicyVersion;
}

/**
 * Every Pod and pod template of an Inventory, in input order, judged at a fixed level or at its
 * namespace's enforce policy (labels resolved as the admission controller does, with the configured
 * defaults and exemptions).
 */
export function judgeWorkloads(inventory: Inventory, options: WorkloadVerdictOptions = {}): WorkloadVerdict[] {
  const out: WorkloadVerdict[] = [];
  for (const report of analyzeNamespaces(inventory, options)) {
    const enforce = report.policy.enforce;
    // A level asked for comes with latest unless a version is asked for too; otherwise the namespace's own.
    const policy: PssPolicy =
      options.level === undefined
        ? { level: enforce.level, version: options.version ?? enforce.version }
        : { level: options.level, version: options.version ?? LATEST };
    for (const workload of report.workloads) {
      out.push({
        workload,
        policy,
        result: workload.judge(policy),
        ...(workload.exemption === undefined ? {} : { exemption: workload.exemption }),
      });
    }
  }
  return out.sort((a, b) => a.workload.owner.id - b.workload.owner.id);
}
