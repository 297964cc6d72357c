import type { InputProblem } from '../../core/errors.js';
import type { FalcoCollector } from './collector.js';

/**
 * The Falco rules engine version Vigil's loader stands for: the rules language (lists, macros,
 * exceptions, override, transformers and `val()`, every comparison operator) of Falco's engine
 * 0.45.0. Rule files that require more are still loaded; the requirement is reported.
 */
export const FALCO_ENGINE_VERSION = '0.45.0';

/** The plugins whose fields Vigil provides, and the version of each that the field set matches. */
export const FALCO_PLUGIN_VERSIONS: Readonly<Record<string, string>> = { k8saudit: '0.18.0', json: '0.7.0' };

function parts(version: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Falco's semver compatibility: the same major version, and at least the minor.patch asked for. */
export function satisfies(have: string, want: string): boolean {
  const h = parts(have);
  const w = parts(want);
  if (h === undefined || w === undefined) return false;
  if (h[0] !== w[0]) return false;
  return h[1] > w[1] || (h[1] === w[1] && h[2] >= w[2]);
}

/**
 * `required_engine_version` and `required_plugin_versions` that ask for more than Vigil offers, as
 * warnings: the files are loaded anyway, and a rule that uses something Vigil lacks fails on its own.
 */
export function versionProblems(collector: FalcoCollector): InputProblem[] {
  const out: InputProblem[] = [];
  for (const req of collector.engineVersions) {
    if (satisfies(FALCO_ENGINE_VERSION, req.version)) continue;
    out.push({
      code: 'invalid-rule',
      level: 'warning',
      location: { file: req.loc.file, line: req.loc.line },
      message: `required_engine_version ${req.version} is more than Vigil's Falco rules engine (${FALCO_ENGINE_VERSION}); loading anyway`,
      hint: 'Rules that use what Vigil lacks are reported one by one; docs/falco-rules.md lists what is supported.',
    });
  }
  for (const req of collector.pluginVersions) {
    const ok = req.alternatives.some((a) => {
      const have = FALCO_PLUGIN_VERSIONS[a.name];
      return have !== undefined && satisfies(have, a.version);
    });
    if (ok) continue;
    const asked = req.alternatives.map((a) => `${a.name} ${a.version}`).join(' or ');
    const offered = Object.entries(FALCO_PLUGIN_VERSIONS)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ');
    out.push({
      code: 'invalid-rule',
      level: 'warning',
      location: { file: req.loc.file, line: req.loc.line },
      message: `required_plugin_versions asks for ${asked}; Vigil provides the fields of ${offered}; loading anyway`,
      hint: 'Fields Vigil does not know make their rules fail to load, each reported with its rule.',
    });
  }
  return out;
}
