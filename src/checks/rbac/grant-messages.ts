import { describeObject, describeSubject } from '../../analysis/rbac/describe.js';
import type { RiskMatch, SubjectRisk } from './risks.js';
import { whereBindingHolds } from './risks.js';

/** `ClusterRole secret-reader rules[0]`, for up to three distinct rules. */
export function viaOf(matches: readonly RiskMatch[]): string {
  const parts = [
    ...new Set(
      matches.map((m) => {
        const from = m.rule.source === m.grant.role ? '' : ` (from ${describeObject(m.rule.source)} rules[${m.rule.sourceIndex}])`;
        return `${describeObject(m.grant.role)} rules[${m.rule.index}]${from}`;
      }),
    ),
  ];
  return parts.length <= 3 ? parts.join(', ') : `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more`;
}

/** Message data every grant check uses: who, through which binding and rules, and where it holds. */
export function grantData(risk: SubjectRisk, matches: readonly RiskMatch[] = risk.matches, clusterScoped = false): Record<string, string> {
  return {
    subject: describeSubject(risk.ref),
    binding: describeObject(risk.binding),
    via: viaOf(matches),
    where: whereBindingHolds(risk.binding, clusterScoped),
  };
}

/** The pointer of a binding's subject entry, where grant findings point. */
export function subjectPointer(risk: Pick<SubjectRisk, 'subject'>): string {
  return `/subjects/${risk.subject.index}`;
}

/** `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}
