import { LineIndex } from '../../sources/line-index.js';
import { parseYamlStream } from '../../sources/yaml-documents.js';
import { decodePolicy, type PolicyProblem } from './decode.js';
import type { AuditPolicy } from './types.js';
import { toAuditPolicy, validatePolicy } from './validate.js';

/** A policy problem with the line it is on, when the text was YAML or JSON with positions. */
export interface LocatedPolicyProblem extends PolicyProblem {
  readonly line?: number;
  readonly column?: number;
}

export interface PolicyParseResult {
  /** Present when the policy loads (no error problems). */
  readonly policy?: AuditPolicy;
  readonly problems: readonly LocatedPolicyProblem[];
  /** 1-based line of each rule, when known (same order as `policy.rules`). */
  readonly ruleLines?: readonly (number | undefined)[];
}

const API_VERSION = 'audit.k8s.io/v1';

/**
 * Read an audit policy file the way kube-apiserver's `--audit-policy-file` is read
 * (`LoadPolicyFromBytes`, k8s.io/apiserver pkg/audit/policy/reader.go): lenient decoding (unknown
 * fields are warnings), `apiVersion: audit.k8s.io/v1` and `kind: Policy` required, `ValidatePolicy`,
 * and at least one rule. Never throws.
 */
export function parsePolicy(text: string): PolicyParseResult {
  const lines = new LineIndex(text);
  const stream = parseYamlStream(text, lines);
  const problems: LocatedPolicyProblem[] = stream.problems.map((p) => ({
    level: 'error',
    pointer: '',
    message: p.message,
    line: p.line,
    column: p.column,
  }));
  if (problems.length > 0) return { problems };
  const doc = stream.documents[0];
  if (doc === undefined)
    return { problems: [{ level: 'error', pointer: '', message: 'the policy file is empty: it needs at least one rule' }] };
  const locate = (problem: PolicyProblem): LocatedPolicyProblem => {
    const at = doc.positions.locate(problem.pointer);
    return at === undefined ? problem : { ...problem, line: at.line, column: at.column };
  };
  if (stream.documents.length > 1)
    problems.push({
      level: 'warning',
      pointer: '',
      message: `the file holds ${stream.documents.length} YAML documents; the API server reads only the first`,
      line: (stream.documents[1] as { line: number }).line,
    });
  const decoded = decodePolicy(doc.value);
  problems.push(...decoded.problems.map(locate));
  const { apiVersion, kind } = decoded.policy;
  if (apiVersion !== API_VERSION)
    problems.push(
      locate({
        level: 'error',
        pointer: '/apiVersion',
        message:
          apiVersion === undefined
            ? `unknown group version field "" in policy: set apiVersion: ${API_VERSION} and kind: Policy`
            : `unknown group version field "${apiVersion}" in policy: only ${API_VERSION} is served (v1alpha1 and v1beta1 were removed in Kubernetes 1.24)`,
      }),
    );
  else if (kind !== 'Policy')
    problems.push(
      locate({ level: 'error', pointer: '/kind', message: `kind must be Policy, got ${kind === undefined ? 'nothing' : `"${kind}"`}` }),
    );
  problems.push(...validatePolicy(decoded.policy).map(locate));
  if (decoded.policy.rules.length === 0)
    problems.push(locate({ level: 'error', pointer: '/rules', message: 'the policy has no rules: the API server refuses to load it' }));
  if (problems.some((p) => p.level === 'error')) return { problems };
  const ruleLines = decoded.policy.rules.map((_, i) => doc.positions.locate(`/rules/${i}`)?.line);
  return { policy: toAuditPolicy(decoded.policy), problems, ruleLines };
}

/** `file:line:col: message` for a policy problem. */
export function formatPolicyProblem(file: string, problem: LocatedPolicyProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${where}: ${problem.level}: ${problem.message}${problem.pointer === '' ? '' : ` (at ${problem.pointer})`}`;
}
