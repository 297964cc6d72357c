import type { ControlDefinition, ControlId, ControlRule } from './control.js';
import { allowPrivilegeEscalation } from './controls/allow-privilege-escalation.js';
import { appArmorProfile } from './controls/app-armor.js';
import { capabilitiesBaseline, capabilitiesRestricted } from './controls/capabilities.js';
import { hostNamespaces } from './controls/host-namespaces.js';
import { hostPathVolumes } from './controls/host-path-volumes.js';
import { hostPorts } from './controls/host-ports.js';
import { hostProbesAndHostLifecycle } from './controls/host-probes.js';
import { privileged } from './controls/privileged.js';
import { procMount, procMountRestricted } from './controls/proc-mount.js';
import { restrictedVolumes } from './controls/restricted-volumes.js';
import { runAsNonRoot, runAsUser } from './controls/run-as.js';
import { seLinuxOptions } from './controls/se-linux.js';
import { seccompProfileBaseline, seccompProfileRestricted } from './controls/seccomp.js';
import { sysctls } from './controls/sysctls.js';
import { windowsHostProcess } from './controls/windows-host-process.js';
import type { CheckLevel, PssLevel } from './levels.js';
import { compareBytes } from './text.js';

/**
 * Every control, baseline ones first, each group in Go byte order of its id: upstream runs (and
 * reports) checks in exactly this order, which fixes the order of reasons in messages.
 */
export const CONTROLS: readonly ControlDefinition[] = [
  allowPrivilegeEscalation,
  appArmorProfile,
  capabilitiesBaseline,
  capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seLinuxOptions,
  seccompProfileBaseline,
  seccompProfileRestricted,
  sysctls,
  windowsHostProcess,
].sort((a, b) => (a.level === b.level ? compareBytes(a.id, b.id) : a.level === 'baseline' ? -1 : 1));

const BY_ID: ReadonlyMap<ControlId, ControlDefinition> = new Map(CONTROLS.map((c) => [c.id, c]));

/** The definition of a control. */
export function controlById(id: ControlId): ControlDefinition {
  const control = BY_ID.get(id);
  if (control === undefined) throw new Error(`unknown Pod Security control ${id}`);
  return control;
}

/**
 * The newest policy version any control defines a rule for (v1.37 at the upstream commit this follows).
 * `latest` and any newer version evaluate as this one.
 */
export const NEWEST_MINOR: number = Math.max(...CONTROLS.flatMap((c) => c.versions.map((v) => v.minVersion)));

/** The rule of a control at a policy minor version, or undefined when the control does not exist yet. */
export function ruleAt(control: ControlDefinition, minor: number): { rule: ControlRule; overrides: readonly ControlId[] } | undefined {
  let found: (typeof control.versions)[number] | undefined;
  for (const version of control.versions) {
    if (version.minVersion <= minor) found = version;
    else break;
  }
  return found === undefined ? undefined : { rule: found.rule, overrides: found.overrides ?? [] };
}

/** An active control at a level and version. */
export interface ActiveControl {
  readonly control: ControlDefinition;
  readonly rule: ControlRule;
}

const activeCache = new Map<string, readonly ActiveControl[]>();

/**
 * The controls that run at a level and (capped) minor version, in upstream order: the level's own
 * controls and every less strict level's, minus baseline controls that an active restricted rule overrides.
 */
export function activeControls(level: PssLevel, minor: number): readonly ActiveControl[] {
  if (level === 'privileged') return [];
  const key = `${level}:${minor}`;
  const cached = activeCache.get(key);
  if (cached !== undefined) return cached;
  const levels: readonly CheckLevel[] = level === 'restricted' ? ['baseline', 'restricted'] : ['baseline'];
  const candidates: (ActiveControl & { overrides: readonly ControlId[] })[] = [];
  for (const control of CONTROLS) {
    if (!levels.includes(control.level)) continue;
    const at = ruleAt(control, minor);
    if (at !== undefined) candidates.push({ control, rule: at.rule, overrides: at.overrides });
  }
  // Only restricted rules override, and only at the restricted level (the baseline level is never affected).
  const overridden = new Set(
    level === 'restricted' ? candidates.filter((c) => c.control.level === 'restricted').flatMap((c) => c.overrides) : [],
  );
  const value = candidates.filter((c) => !overridden.has(c.control.id)).map(({ control, rule }) => ({ control, rule }));
  activeCache.set(key, value);
  return value;
}
