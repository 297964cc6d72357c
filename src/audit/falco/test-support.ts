import { toAuditEvent, type AuditEvent } from '../event.js';
import type { DetectionRule } from '../rule.js';
import { loadFalcoRules, type FalcoLoadOptions, type FalcoRuleset } from './ruleset.js';

/** A pod create event at ResponseComplete, as the API server logs it at RequestResponse level; `extra` is merged in. */
export function podCreate(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'a1b2c3',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods?fieldManager=kubectl-client-side-apply',
    verb: 'create',
    user: { username: 'alice', groups: ['developers', 'system:authenticated'] },
    sourceIPs: ['203.0.113.9', '10.0.0.1'],
    userAgent: 'kubectl/v1.30.0',
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web-0', namespace: 'shop' },
      spec: {
        containers: [
          { name: 'web', image: 'registry.example.com/shop/web:1.2@sha256:abc', securityContext: { privileged: false } },
          { name: 'sidecar', image: 'Envoy:v1', securityContext: { privileged: true, runAsUser: 1000 } },
        ],
        initContainers: [{ name: 'init', image: 'busybox' }],
        volumes: [
          { name: 'root', hostPath: { path: '/etc/kubernetes', type: '' } },
          { name: 'data', emptyDir: {} },
        ],
        hostNetwork: true,
        securityContext: { runAsUser: 500 },
      },
    },
    responseObject: { kind: 'Pod', metadata: { name: 'web-0' } },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed' },
    requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
    stageTimestamp: '2024-05-01T10:00:00.123456789Z',
    ...extra,
  };
}

/** A narrowed audit event from a JSON object (copied: narrowing redacts in place). */
export function auditEvent(raw: Record<string, unknown>): AuditEvent {
  const e = toAuditEvent(structuredClone(raw));
  if ('error' in e) throw new Error(e.error);
  return e;
}

/** One rules file loaded from text. */
export function loadText(text: string, options: FalcoLoadOptions = {}): FalcoRuleset {
  return loadFalcoRules([{ file: 'rules.yaml', text }], options);
}

/** A k8s_audit rule named `name` with this condition, as YAML (the condition double-quoted). */
export function ruleYaml(name: string, condition: string, more = ''): string {
  return `- rule: ${name}\n  desc: test rule\n  condition: ${JSON.stringify(condition)}\n  output: "%ka.verb"\n  priority: WARNING\n  source: k8s_audit\n${more}`;
}

/** Run a rule's condition on an event: true, false, or the evaluation error. */
export function evaluate(rule: DetectionRule | undefined, event: AuditEvent): boolean | Error {
  if (rule === undefined) throw new Error('no such rule');
  const condition = rule.steps[0]?.condition;
  if (condition === undefined) throw new Error('rule without condition');
  return condition(event, { previous: [] });
}

/**
 * Whether `condition` matches `event`, with `prelude` (lists, macros) loaded before the rule.
 * Throws when the rules do not load, with the problems in the message.
 */
export function matches(condition: string, event: Record<string, unknown> = podCreate(), prelude = ''): boolean | Error {
  const loaded = loadText(`${prelude}\n${ruleYaml('t', condition)}`);
  const errors = loaded.problems.filter((p) => p.level === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => p.message).join('\n'));
  return evaluate(
    loaded.rules.find((r) => r.id === 't'),
    auditEvent(event),
  );
}

/** The error messages of loading `text`. */
export function loadErrors(text: string): string[] {
  return loadText(text)
    .problems.filter((p) => p.level === 'error')
    .map((p) => p.message);
}
