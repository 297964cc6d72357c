import {
  describeGrant,
  describeObject,
  describeSubject,
  grantJson,
  objectJson,
  ruleJson,
  type GrantJson,
  type ObjectJson,
  type RuleJson,
} from '../analysis/rbac/describe.js';
import type { BindingRecord, RoleRecord } from '../analysis/rbac/rbac-objects.js';
import { compareSubjects, subjectRefOf, type RbacIndex, type SubjectRef } from '../analysis/rbac/rbac-index.js';
import { isDefaultBinding, isSystemSubject } from '../checks/rbac/judged-subjects.js';
import { describeRiskRequest, risksOf } from '../checks/rbac/risks.js';
import type { Severity } from '../core/severity.js';

/*
 * What `vigil rbac subjects` and `vigil rbac graph` print. JSON shapes are documented in docs/rbac.md.
 */

export interface SubjectBindingJson {
  readonly binding: ObjectJson;
  /** `direct`, or the group through which the binding applies (`system:authenticated`). */
  readonly via: string;
  readonly role: ObjectJson;
  /** `cluster` for a ClusterRoleBinding, else the RoleBinding's namespace. */
  readonly scope: string;
  /** Present when the role is missing: why the binding grants nothing. */
  readonly unresolved?: string;
  readonly rules: readonly RuleJson[];
}

export interface SubjectRiskJson {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly check: string;
  readonly request: string;
  readonly grant: GrantJson;
}

export interface SubjectJson {
  readonly subject: ObjectJson;
  /** Kubernetes' own identity (a `system:*` user or group), which the checks do not judge. */
  readonly system: boolean;
  readonly bindings: readonly SubjectBindingJson[];
  readonly risks: readonly SubjectRiskJson[];
}

function roleRefJson(binding: BindingRecord, role: RoleRecord | undefined): ObjectJson {
  if (role !== undefined) return objectJson(role);
  const ref = binding.roleRef;
  if (ref === undefined) return { kind: 'none', name: '' };
  return ref.kind === 'Role' && binding.namespace !== undefined
    ? { kind: ref.kind, name: ref.name, namespace: binding.namespace }
    : { kind: ref.kind, name: ref.name };
}

/** Every subject named by a binding, what it is granted and by which bindings, and its risks. */
export function subjectsReport(index: RbacIndex): SubjectJson[] {
  return index.subjects().map((subject) => {
    const bindings = index.bindingsOf(subject).map(({ binding, subject: matched }): SubjectBindingJson => {
      const resolved = index.resolveRole(binding);
      const role = 'role' in resolved ? resolved.role : undefined;
      const matchedRef = subjectRefOf(matched, binding);
      const direct = matchedRef !== undefined && compareSubjects(matchedRef, subject) === 0;
      return {
        binding: objectJson(binding),
        via: direct ? 'direct' : matched.name,
        role: roleRefJson(binding, role),
        scope: binding.kind === 'ClusterRoleBinding' ? 'cluster' : (binding.namespace ?? ''),
        ...('missing' in resolved ? { unresolved: resolved.missing } : {}),
        rules: role === undefined ? [] : index.effectiveRules(role).map((r) => ruleJson(r.rule, r.index)),
      };
    });
    const risks = risksOf(index, subject).map((held): SubjectRiskJson => {
      const resolved = index.resolveRole(held.binding);
      const grant = grantJson({
        via: 'rbac',
        binding: held.binding,
        subject: held.subject,
        role: 'role' in resolved ? resolved.role : held.rule.source,
        rule: held.rule,
      });
      return {
        id: held.category.id,
        title: held.category.title,
        severity: held.category.severity,
        check: held.category.checkId,
        request: describeRiskRequest(held.request),
        grant,
      };
    });
    return { subject: objectJson(subject), system: isSystemSubject(subject), bindings, risks };
  });
}

/** The subjects report as text, one block per subject. */
export function subjectsText(report: readonly SubjectJson[]): string {
  const lines: string[] = [];
  for (const entry of report) {
    lines.push(`${describeSubject(entry.subject)}${entry.system ? '  (Kubernetes identity)' : ''}`);
    for (const b of entry.bindings) {
      const where = b.scope === 'cluster' ? 'cluster-wide' : `in namespace ${b.scope}`;
      const via = b.via === 'direct' ? '' : ` (via group ${b.via})`;
      const what =
        b.unresolved === undefined ? `${b.rules.length} rule${b.rules.length === 1 ? '' : 's'}` : `grants nothing: ${b.unresolved}`;
      lines.push(`  ${describeObject(b.binding)} → ${describeObject(b.role)} ${where}${via}: ${what}`);
    }
    for (const r of entry.risks) {
      const g = r.grant;
      const path = g.via === 'rbac' ? `${describeObject(g.binding)} → ${describeObject(g.role)} rules[${g.rule.index}]` : g.group;
      lines.push(`  risk ${r.severity}: can ${r.title} (${r.request}) via ${path}  [${r.check}]`);
    }
    if (entry.risks.length === 0 && entry.bindings.length > 0) lines.push('  no risky permission');
  }
  return lines.length === 0 ? 'no subject is named by any binding\n' : `${lines.join('\n')}\n`;
}

export type GraphFormat = 'dot' | 'mermaid';

interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly shape: 'subject' | 'binding' | 'role' | 'missing';
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly style: 'solid' | 'dashed';
  readonly label?: string;
}

/** Subjects → bindings → roles, and aggregated ClusterRoles → the ClusterRoles they aggregate. */
export function rbacGraph(index: RbacIndex, options: { includeDefaults?: boolean } = {}): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (node: GraphNode): string => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  const roleNode = (role: RoleRecord): string =>
    add({ id: `role:${role.kind}:${role.namespace ?? ''}:${role.name}`, label: describeObject(role), shape: 'role' });
  for (const binding of index.bindings) {
    if (options.includeDefaults !== true && isDefaultBinding(binding)) continue;
    const b = add({
      id: `binding:${binding.kind}:${binding.namespace ?? ''}:${binding.name}`,
      label: describeObject(binding),
      shape: 'binding',
    });
    for (const subject of binding.subjects) {
      const ref: SubjectRef = subjectRefOf(subject, binding) ?? { kind: subject.kind, name: subject.name };
      const s = add({ id: `subject:${ref.kind}:${ref.namespace ?? ''}:${ref.name}`, label: describeSubject(ref), shape: 'subject' });
      edges.push({ from: s, to: b, style: 'solid' });
    }
    const resolved = index.resolveRole(binding);
    if ('role' in resolved) {
      edges.push({
        from: b,
        to: roleNode(resolved.role),
        style: 'solid',
        label: binding.kind === 'RoleBinding' ? `in ${binding.namespace ?? ''}` : 'cluster-wide',
      });
    } else if (binding.roleRef !== undefined) {
      const m = add({
        id: `missing:${binding.roleRef.kind}:${binding.roleRef.name}`,
        label: `${binding.roleRef.kind} ${binding.roleRef.name} (missing)`,
        shape: 'missing',
      });
      edges.push({ from: b, to: m, style: 'dashed' });
    }
  }
  // Aggregation edges for the roles that appear.
  for (const role of index.clusterRoles) {
    const id = `role:${role.kind}::${role.name}`;
    if (role.aggregationSelectors === undefined || !nodes.has(id)) continue;
    const sources = new Set(index.effectiveRules(role).map((r) => r.source));
    for (const source of sources) edges.push({ from: id, to: roleNode(source), style: 'dashed', label: 'aggregates' });
  }
  return { nodes: [...nodes.values()], edges };
}

const quote = (text: string): string => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Graphviz DOT. */
export function graphDot(graph: ReturnType<typeof rbacGraph>): string {
  const shapes = { subject: 'ellipse', binding: 'box', role: 'box3d', missing: 'octagon' } as const;
  const lines = ['digraph rbac {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const node of graph.nodes)
    lines.push(
      `  ${quote(node.id)} [label=${quote(node.label)}, shape=${shapes[node.shape]}${node.shape === 'missing' ? ', color=red' : ''}];`,
    );
  for (const edge of graph.edges) {
    const attrs = [edge.style === 'dashed' ? 'style=dashed' : '', edge.label === undefined ? '' : `label=${quote(edge.label)}`].filter(
      (a) => a !== '',
    );
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)}${attrs.length === 0 ? '' : ` [${attrs.join(', ')}]`};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid flowchart. Node ids are n0, n1, …; labels are quoted (Mermaid's `#quot;` escape for quotes). */
export function graphMermaid(graph: ReturnType<typeof rbacGraph>): string {
  const ids = new Map(graph.nodes.map((node, i) => [node.id, `n${i}`]));
  const label = (text: string): string => `"${text.replaceAll('"', '#quot;')}"`;
  const shape = (node: GraphNode): string => {
    const text = label(node.label);
    switch (node.shape) {
      case 'subject':
        return `([${text}])`;
      case 'binding':
        return `[${text}]`;
      case 'role':
        return `[[${text}]]`;
      case 'missing':
        return `{{${text}}}`;
    }
  };
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) lines.push(`  ${ids.get(node.id) ?? ''}${shape(node)}`);
  for (const edge of graph.edges) {
    const arrow = edge.style === 'dashed' ? '-.->' : '-->';
    const text = edge.label === undefined ? '' : `|${label(edge.label)}|`;
    lines.push(`  ${ids.get(edge.from) ?? ''} ${arrow}${text} ${ids.get(edge.to) ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One grant per line, for `--explain` and who-can. */
export function grantLines(grants: readonly Parameters<typeof describeGrant>[0][], indent = '  '): string[] {
  return grants.map((g) => `${indent}${describeGrant(g)}`);
}
