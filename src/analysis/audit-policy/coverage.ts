import { reach, type RequestShape } from './reach.js';
import { levelAtLeast, type AuditLevel, type AuditPolicy, type AuditStage, type GroupResources } from './types.js';

/** What a detection rule step looks at, in the audit policy's own terms (a detection rule's `match`). */
export interface CoverageStep {
  readonly verbs: readonly string[];
  readonly resources: readonly GroupResources[];
  readonly nonResourceURLs: readonly string[];
  readonly stages: readonly AuditStage[];
}

/** A detection rule as coverage sees it: the requests it needs logged, and at which level. */
export interface CoverageRule {
  readonly id: string;
  readonly steps: readonly CoverageStep[];
  readonly requires: AuditLevel;
}

export interface RuleCoverage {
  readonly id: string;
  /** covered: every request the rule needs is logged well enough; blind: none is; partial: some. */
  readonly status: 'covered' | 'partial' | 'blind';
  readonly requires: AuditLevel;
  /** What is missing, request by request. */
  readonly gaps: readonly string[];
}

const ANY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const ANY = '<any>';

function shapesOf(step: CoverageStep): { label: string; shape: RequestShape }[] {
  const verbs = step.verbs.length > 0 ? step.verbs : ANY_VERBS;
  const out: { label: string; shape: RequestShape }[] = [];
  for (const verb of verbs) {
    if (step.resources.length > 0) {
      for (const gr of step.resources) {
        const group = gr.group === '*' ? ANY : gr.group;
        for (const pattern of gr.resources.length > 0 ? gr.resources : ['*']) {
          const slash = pattern.indexOf('/');
          const resource = slash === -1 ? pattern : pattern.slice(0, slash);
          const sub = slash === -1 ? '' : pattern.slice(slash + 1);
          const shape: RequestShape = {
            verb,
            apiGroup: group,
            resource: resource === '*' ? ANY : resource,
            subresource: sub === '*' ? ANY : sub,
            isResourceRequest: true,
            path: '',
          };
          out.push({ label: `${verb} ${pattern}${group === '' || group === ANY ? '' : `.${group}`}`, shape });
        }
      }
    } else if (step.nonResourceURLs.length > 0) {
      for (const url of step.nonResourceURLs)
        out.push({
          label: `${verb} ${url}`,
          shape: { verb, apiGroup: '', resource: '', subresource: '', isResourceRequest: false, path: url.replace(/\*+$/, '') },
        });
    } else {
      out.push({
        label: `${verb} any resource`,
        shape: { verb, apiGroup: ANY, resource: ANY, subresource: '', isResourceRequest: true, path: '' },
      });
      out.push({
        label: `${verb} any URL`,
        shape: { verb, apiGroup: '', resource: '', subresource: '', isResourceRequest: false, path: `/${ANY}` },
      });
    }
  }
  return out;
}

/**
 * Which detection rules a policy blinds: a rule needs the requests it matches logged at its level
 * (Request to read a body, RequestResponse to read a response) and at one of the stages it looks at.
 * For each kind of request the rule matches, every policy rule that may decide it is checked (rules
 * restricted to some users or namespaces decide only for those).
 */
export function policyCoverage(policy: AuditPolicy, rules: readonly CoverageRule[]): RuleCoverage[] {
  return rules.map((rule) => {
    const gaps: string[] = [];
    let seen = 0;
    let total = 0;
    for (const step of rule.steps) {
      for (const { label, shape } of shapesOf(step)) {
        total++;
        let all = true;
        let some = false;
        for (const r of reach(policy, shape)) {
          const where = r.rule === undefined ? 'no rule (default None)' : `rules[${r.rule}]`;
          const who = r.only.length === 0 ? '' : ` for ${r.only.join(' and ')}`;
          const stageOk = step.stages.some((s) => !r.omitStages.includes(s));
          if (!levelAtLeast(r.level, rule.requires) || r.level === 'None') {
            all = false;
            gaps.push(`${label}: ${where} logs it at ${r.level}${who}, the rule needs ${rule.requires}`);
          } else if (!stageOk) {
            all = false;
            gaps.push(`${label}: ${where} omits ${step.stages.join(' and ')}${who}`);
          } else some = true;
        }
        if (all) seen++;
        else if (some) seen += 0.5;
      }
    }
    const status = seen === total ? 'covered' : seen === 0 ? 'blind' : 'partial';
    return { id: rule.id, status, requires: rule.requires, gaps: [...new Set(gaps)] };
  });
}
