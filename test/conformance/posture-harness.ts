/**
 * A harness for the posture conformance suites in ../shared/conformance/posture (Polaris check
 * fixtures and kubescape regolibrary rule tests), read in place. A mapping row names a peer check or
 * rule and the Vigil checks (with options, and optionally the framework control whose findings count)
 * that decide the same thing; the harness runs those checks on each case's objects and gives the
 * verdict the peer's own test harness would: fail = at least one finding.
 *
 * Add a peer check by appending a row to a mapping table (posture-mapping.ts, or another area's own
 * table) and listing it in the conformance test: the harness needs nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CATALOG } from '../../src/checks/catalog.js';
import { evaluate, type ActiveCheck } from '../../src/checks/run-checks.js';
import type { Finding } from '../../src/core/finding.js';
import type { FrameworkId } from '../../src/core/frameworks.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { SourcedObject } from '../../src/sources/manifest-objects.js';
import { readManifestText } from '../../src/sources/read-manifest-text.js';
import { sharedPath } from '../support/shared.js';

export const POSTURE_DIR = sharedPath('conformance', 'posture');

/** The peer's configuration for one case: kubescape's posture control inputs (defaults merged with the case's data). */
export type PeerConfig = Readonly<Record<string, readonly string[]>>;

/** One Vigil check used for a peer check. */
export interface VigilUse {
  readonly check: string;
  /** Options for the check: fixed, or derived from the peer's configuration of the case. */
  readonly options?: Readonly<Record<string, unknown>> | ((config: PeerConfig) => Readonly<Record<string, unknown>>);
  /** Count only findings attributed to this control (for checks that cover several controls). */
  readonly control?: { readonly framework: FrameworkId; readonly id: string };
}

export interface PeerMapping {
  readonly peer: 'polaris' | 'kubescape';
  /** Polaris check id, or kubescape rule directory under rules/. */
  readonly id: string;
  /** The union of these checks' findings is the verdict. */
  readonly uses: readonly VigilUse[];
  /** Why the mapping is what it is, when it is not obvious. */
  readonly note?: string;
  /**
   * Cases where Vigil deliberately decides otherwise than the peer: case → why. The harness still runs
   * them and asserts that they disagree, so a change in either side is noticed.
   */
  readonly disagreements?: Readonly<Record<string, string>>;
}

/** One case of a peer suite, normalised. */
export interface PeerCase {
  readonly peer: 'polaris' | 'kubescape';
  readonly id: string;
  /** Unique name: the fixture file (Polaris) or case directory (kubescape), relative to the peer folder. */
  readonly name: string;
  readonly files: readonly string[];
  readonly expect: 'pass' | 'fail';
  /** kubescape: the failing resources, `Kind/name`. */
  readonly failing?: readonly string[];
  readonly config: PeerConfig;
  readonly firstDocumentOnly: boolean;
}

interface PolarisCaseJson {
  readonly check: string;
  readonly file: string;
  readonly expect: 'pass' | 'fail';
  readonly customCheck?: string;
}

interface KubescapeCaseJson {
  readonly rule: string;
  readonly case: string;
  readonly inputs: readonly string[];
  readonly expect: 'pass' | 'fail';
  readonly failing: readonly string[];
  readonly data?: string;
  readonly firstDocumentOnly?: boolean;
}

/** Parsed JSON of a file of the suite (shapes documented in the suite's README). */
function readJson(...segments: string[]): unknown {
  return JSON.parse(readFileSync(join(POSTURE_DIR, ...segments), 'utf8'));
}

let kubescapeDefaults: PeerConfig | undefined;

function kubescapeConfig(dataFile: string | undefined): PeerConfig {
  kubescapeDefaults ??= (readJson('kubescape', 'default-config-inputs.json') as { settings: { postureControlInputs: PeerConfig } }).settings
    .postureControlInputs;
  if (dataFile === undefined) return kubescapeDefaults;
  const data = readJson('kubescape', dataFile) as { postureControlInputs?: PeerConfig };
  return { ...kubescapeDefaults, ...(data.postureControlInputs ?? {}) };
}

/** Every case of a peer check or rule. */
export function casesOf(peer: 'polaris' | 'kubescape', id: string): PeerCase[] {
  if (peer === 'polaris') {
    return (readJson('polaris', 'cases.json') as PolarisCaseJson[])
      .filter((c) => c.check === id)
      .map((c) => ({ peer, id, name: c.file, files: [join('polaris', c.file)], expect: c.expect, config: {}, firstDocumentOnly: false }));
  }
  return (readJson('kubescape', 'cases.json') as KubescapeCaseJson[])
    .filter((c) => c.case.startsWith(`rules/${id}/test/`))
    .map((c) => ({
      peer,
      id,
      name: c.case,
      files: c.inputs.map((f) => join('kubescape', f)),
      expect: c.expect,
      failing: c.failing,
      config: kubescapeConfig(c.data),
      firstDocumentOnly: c.firstDocumentOnly === true,
    }));
}

/** The objects of a case, read with Vigil's own reader (positions included). */
export function objectsOf(peerCase: PeerCase): SourcedObject[] {
  const out: SourcedObject[] = [];
  for (const file of peerCase.files) {
    const read = readManifestText(readFileSync(join(POSTURE_DIR, file), 'utf8'), file);
    const errors = read.problems.filter((p) => p.level === 'error');
    if (errors.length > 0) throw new Error(`${file}: ${errors.map((p) => p.message).join('; ')}`);
    // The upstream runner reads one document per input file; so must we when the case says so.
    out.push(...(peerCase.firstDocumentOnly ? read.objects.filter((o) => o.source?.documentIndex === 0) : read.objects));
  }
  return out;
}

export interface Verdict {
  readonly verdict: 'pass' | 'fail';
  /** Distinct failing resources, `Kind/name`, sorted. */
  readonly failing: readonly string[];
  /** True when at least one of the checks judged an object of the case (pass or fail). */
  readonly ran: boolean;
  readonly findings: readonly Finding[];
}

/** Run a mapping's checks on a case and give the verdict. */
export function verdictOf(mapping: PeerMapping, peerCase: PeerCase): Verdict {
  const active: ActiveCheck[] = mapping.uses.map((use) => {
    const check = CATALOG.get(use.check);
    if (check === undefined) throw new Error(`mapping ${mapping.peer}/${mapping.id}: no check ${use.check}`);
    const raw = typeof use.options === 'function' ? use.options(peerCase.config) : (use.options ?? {});
    return { check, severity: check.meta.defaultSeverity, options: check.options === undefined ? {} : check.options.parse(raw) };
  });
  const { inventory } = Inventory.from(objectsOf(peerCase));
  const result = evaluate(inventory, active, { collectEvaluations: true });
  if (result.errors.length > 0) throw new Error(`check errors: ${result.errors.map((e) => `${e.checkId}: ${e.message}`).join('; ')}`);
  const findings = result.findings.filter((f) =>
    mapping.uses.some(
      (use) =>
        use.check === f.checkId && (use.control === undefined || (f.frameworks[use.control.framework] ?? []).includes(use.control.id)),
    ),
  );
  const failing = [...new Set(findings.map((f) => `${f.resource.kind}/${f.resource.name}`))].sort();
  const ran = (result.evaluations ?? []).some((e) => e.outcome === 'pass' || e.outcome === 'fail');
  return { verdict: findings.length > 0 ? 'fail' : 'pass', failing, ran, findings };
}

/** Values of a kubescape list input (lists of strings). */
export function list(config: PeerConfig, key: string): string[] {
  return [...(config[key] ?? [])];
}

/** The first value of a kubescape list input, for scalar inputs written as one-element lists. */
export function first(config: PeerConfig, key: string): string | undefined {
  return config[key]?.[0];
}
