import type { Check } from '../checks/define-check.js';
import type { Finding } from '../core/finding.js';
import { FRAMEWORKS, type FrameworkId } from '../core/frameworks.js';

/*
 * Control status per framework, derived from the framework references every check carries
 * (`check.meta.frameworks`): a control is the set of checks that name it. This is what the dashboard
 * and the HTML report show until a full control catalogue is available; the shape follows the
 * catalogue-based compliance report so either can feed the same views.
 */

export type ControlStatus = 'pass' | 'fail' | 'not-applicable' | 'manual';

export interface ControlView {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly status: ControlStatus;
  readonly reason?: string;
  /** Checks that cover the control. */
  readonly checks: readonly string[];
  /** Standing (unsuppressed) findings that fail it. */
  readonly findings: number;
  readonly suppressed: number;
}

export interface FrameworkView {
  readonly id: FrameworkId;
  readonly name: string;
  readonly summary: {
    readonly controls: number;
    readonly pass: number;
    readonly fail: number;
    readonly notApplicable: number;
    readonly manual: number;
    /** Passing share of the decided controls (pass + fail), in percent, one decimal; undefined when none was decided. */
    readonly score?: number;
  };
  readonly controls: readonly ControlView[];
}

export interface FrameworkControlsInput {
  /** Every check known (the catalog): decides which controls exist. */
  readonly catalog: ReadonlyMap<string, Check>;
  /** Ids of the checks that ran; a control none of whose checks ran is `manual`. */
  readonly ran: ReadonlySet<string>;
  /** Findings to judge by (open ones: resolved findings pass). */
  readonly findings: readonly Finding[];
  /** Whether a finding is suppressed (defaults to its own `suppression`). */
  readonly isSuppressed?: (finding: Finding) => boolean;
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Control status of every framework, from check references. */
export function frameworkControls(input: FrameworkControlsInput): FrameworkView[] {
  const suppressed = input.isSuppressed ?? ((f: Finding) => f.suppression !== undefined);
  const byCheck = new Map<string, Finding[]>();
  for (const f of input.findings) {
    const list = byCheck.get(f.checkId);
    if (list === undefined) byCheck.set(f.checkId, [f]);
    else list.push(f);
  }
  return (Object.keys(FRAMEWORKS) as FrameworkId[]).map((framework) => {
    const checksByControl = new Map<string, string[]>();
    for (const [id, check] of input.catalog) {
      for (const control of check.meta.frameworks?.[framework] ?? []) {
        const list = checksByControl.get(control);
        if (list === undefined) checksByControl.set(control, [id]);
        else list.push(id);
      }
    }
    const controls = [...checksByControl.entries()]
      .sort(([a], [b]) => compareIds(a, b))
      .map(([control, checks]): ControlView => {
        const base = { id: control, title: control, section: FRAMEWORKS[framework], checks: [...checks].sort() };
        const running = checks.filter((id) => input.ran.has(id));
        if (running.length === 0) {
          return { ...base, status: 'manual', reason: `Its checks were not run (${checks.join(', ')}).`, findings: 0, suppressed: 0 };
        }
        // A finding counts against the control when its own references name it (a check may name
        // several controls, and a finding may narrow them).
        const against = running.flatMap((id) =>
          (byCheck.get(id) ?? []).filter((f) => {
            const refs = f.frameworks[framework] ?? [];
            return refs.length === 0 || refs.includes(control);
          }),
        );
        const standing = against.filter((f) => !suppressed(f)).length;
        return { ...base, status: standing > 0 ? 'fail' : 'pass', findings: standing, suppressed: against.length - standing };
      });
    const count = (status: ControlStatus): number => controls.filter((c) => c.status === status).length;
    const pass = count('pass');
    const fail = count('fail');
    return {
      id: framework,
      name: FRAMEWORKS[framework],
      summary: {
        controls: controls.length,
        pass,
        fail,
        notApplicable: count('not-applicable'),
        manual: count('manual'),
        ...(pass + fail === 0 ? {} : { score: Math.round((pass / (pass + fail)) * 1000) / 10 }),
      },
      controls,
    };
  });
}
