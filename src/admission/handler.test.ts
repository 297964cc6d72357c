import { describe, expect, it } from 'vitest';

import { CATALOG } from '../checks/catalog.js';
import { parseConfig } from '../checks/config.js';
import { defineCheck, type Check } from '../checks/define-check.js';
import { parseAdmissionConfig } from './config.js';
import { AdmissionHandler, type Decision } from './handler.js';
import { MAX_WARNING_CHARS } from './messages.js';
import { NO_LABEL, type LabelRoute } from './policy.js';
import type { AdmissionResponse } from './review.js';
import { admissionReview, applyPatch, fixtureReview, patchOf } from './test-support/reviews.js';

const handler = new AdmissionHandler({ ownNamespace: 'vigil' });

function validate(review: unknown, label: LabelRoute = NO_LABEL, h: AdmissionHandler = handler): Decision {
  return h.handleValue('validate', label, review);
}

function responseOf(decision: Decision): AdmissionResponse {
  return decision.review.response;
}

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', ...metadata }, spec };
}

const RESTRICTED_SPEC = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: `ghcr.io/acme/app:1.0@sha256:${'a'.repeat(64)}`,
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '1', memory: '64Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    },
  ],
};

describe('validation with no configuration: deny baseline, warn restricted, audit the rest', () => {
  it('denies a privileged pod, naming each check, field and fix, and warns about restricted findings', () => {
    const d = validate(fixtureReview('pod-create-privileged'));
    const r = responseOf(d);
    expect(d.httpStatus).toBe(200);
    expect(d.outcome).toBe('denied');
    expect(r.uid).toBe('7f3c2a1e-5b8d-4c9a-9e01-0a1b2c3d4e5f');
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(403);
    expect(r.status?.reason).toBe('Forbidden');
    const message = r.status?.message ?? '';
    expect(message).toContain('Pod shop/debug-tools violates 2 Vigil check(s)');
    expect(message).toContain(
      '[pod-security/baseline-privileged] spec.containers[0].securityContext.privileged: Container "tools" must not set securityContext.privileged=true',
    );
    expect(message).toContain('[pod-security/baseline-host-namespaces] spec.hostPID:');
    // The fix is the check's remediation.
    expect(message).toContain(`Fix: ${CATALOG.get('pod-security/baseline-privileged')?.meta.remediation ?? '?'}`);
    expect(r.warnings?.some((w) => w.startsWith('[pod-security/restricted-run-as-non-root] spec.securityContext.runAsNonRoot:'))).toBe(
      true,
    );
    expect(r.auditAnnotations?.['denied']).toBe(
      'pod-security/baseline-privileged@spec.containers[0].securityContext.privileged, pod-security/baseline-host-namespaces@spec.hostPID',
    );
    expect(r.auditAnnotations?.['audited']).toContain('resources/missing-limits@spec.containers[0].resources.limits.cpu');
    expect(r.auditAnnotations?.['policy']).toBe('enforce baseline (from the default policy), warn restricted');
  });

  it('gives a dry run the same answer, and marks the decision as a dry run', () => {
    const real = validate(fixtureReview('pod-create-privileged'));
    const dry = validate(fixtureReview('pod-create-privileged-dry-run'));
    expect(dry.dryRun).toBe(true);
    expect(real.dryRun).toBe(false);
    expect(responseOf(dry).allowed).toBe(false);
    expect(responseOf(dry).status?.message).toBe(responseOf(real).status?.message);
    expect(responseOf(dry).warnings).toEqual(responseOf(real).warnings);
  });

  it('allows a plain Deployment with warnings for what restricted forbids', () => {
    const d = validate(fixtureReview('deployment-create'));
    const r = responseOf(d);
    expect(d.outcome).toBe('warned');
    expect(r.allowed).toBe(true);
    expect(r.status).toBeUndefined();
    expect(r.warnings?.map((w) => w.slice(0, w.indexOf(':')))).toEqual([
      '[pod-security/restricted-capabilities] spec.template.spec.containers[0].securityContext.capabilities.drop',
      '[pod-security/restricted-privilege-escalation] spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      '[pod-security/restricted-run-as-non-root] spec.template.spec.securityContext.runAsNonRoot',
      '[pod-security/restricted-seccomp] spec.template.spec.securityContext.seccompProfile.type',
    ]);
    for (const w of r.warnings ?? []) expect(w.length).toBeLessThanOrEqual(MAX_WARNING_CHARS);
  });

  it('judges a CronJob through its job template', () => {
    const r = responseOf(validate(fixtureReview('cronjob-create')));
    expect(r.allowed).toBe(true);
    expect(r.warnings?.[0]).toMatch(/^\[pod-security\/restricted-capabilities\] spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]/);
  });

  it('allows a compliant pod without warnings or annotations', () => {
    const d = validate(admissionReview(pod(RESTRICTED_SPEC)));
    expect(d.outcome).toBe('allowed');
    expect(responseOf(d)).toEqual({ uid: '0a5e3f4c-9d2b-4e71-8c6a-5f0b1d2e3c4a', allowed: true });
  });

  it('denies adding a privileged ephemeral container (kubectl debug) through pods/ephemeralcontainers', () => {
    const d = validate(fixtureReview('pod-ephemeral-debug'));
    expect(d.outcome).toBe('denied');
    expect(responseOf(d).status?.message).toContain(
      '[pod-security/baseline-privileged] spec.ephemeralContainers[0].securityContext.privileged',
    );
  });

  it('denies a template change that adds hostPID, but not a replica change of an old violator', () => {
    expect(validate(fixtureReview('deployment-update-template')).outcome).toBe('denied');
    const scaled = validate(fixtureReview('deployment-update-replicas'));
    expect(scaled.outcome).toBe('skipped');
    expect(scaled.reason).toBe('the update changes nothing the checks judge');
    expect(responseOf(scaled).allowed).toBe(true);
  });

  it('never holds up finalizers of an object being deleted', () => {
    const d = validate(fixtureReview('deployment-update-finalizer'));
    expect(d.outcome).toBe('skipped');
    expect(responseOf(d).allowed).toBe(true);
  });

  it.each([
    ['pod-exec', 'CONNECT requests are not judged'],
    ['pod-status-update', 'the pods/status subresource does not change what runs'],
    ['deployment-scale', 'the deployments/scale subresource is not judged'],
  ])('allows %s without judging it', (name, reason) => {
    const d = validate(fixtureReview(name));
    expect(d.outcome).toBe('skipped');
    expect(d.reason).toBe(reason);
    expect(responseOf(d).allowed).toBe(true);
    expect(responseOf(d).warnings).toBeUndefined();
  });

  it('judges Services and NetworkPolicies with their object checks (audited by default)', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { externalIPs: ['203.0.113.9'], ports: [{ port: 80 }] },
    };
    const r = responseOf(validate(admissionReview(service, { namespace: 'shop' })));
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations?.['audited']).toContain('network/service-external-ips@');
  });

  it('judges ConfigMaps for credentials, which belong in Secrets (audited by default)', () => {
    expect(responseOf(validate(fixtureReview('configmap-create')))).toEqual({ uid: '7f3c2a1e-5b8d-4c9a-9e12-0a1b2c3d4e5f', allowed: true });
    const leaky = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { DB_PASSWORD: 'hunter2-hunter2' } };
    const r = responseOf(validate(admissionReview(leaky, { namespace: 'shop' })));
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations?.['audited']).toContain('secrets/credential-in-configmap@data.DB_PASSWORD');
    // Never the value.
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });
});

describe('exemptions', () => {
  it('never judges kube-system, and says so in an audit annotation', () => {
    const d = validate(fixtureReview('pod-create-kube-system'));
    expect(d.outcome).toBe('exempt');
    expect(responseOf(d)).toMatchObject({ allowed: true, auditAnnotations: { exempt: 'namespace "kube-system"' } });
  });

  it("never judges the webhook's own namespace", () => {
    const privileged = pod({ containers: [{ name: 'a', image: 'x:1', securityContext: { privileged: true } }] });
    expect(validate(admissionReview(privileged, { namespace: 'vigil' })).outcome).toBe('exempt');
    expect(validate(admissionReview(privileged, { namespace: 'shop' })).outcome).toBe('denied');
  });

  it('exempts by user, group and service account, exactly', () => {
    const config = parseAdmissionConfig(
      `admission:
  exemptions:
    usernames: [ci-bot]
    groups: [platform-admins]
    serviceAccounts: [argocd/argocd-application-controller, tools/*]
`,
      'vigil.yaml',
    );
    const h = new AdmissionHandler({ config });
    const privileged = pod({ containers: [{ name: 'a', image: 'x:1', securityContext: { privileged: true } }] });
    const outcome = (username: string, groups: string[] = []): string =>
      validate(admissionReview(privileged, { username, groups }), NO_LABEL, h).outcome;
    expect(outcome('ci-bot')).toBe('exempt');
    expect(outcome('ci-bot-2')).toBe('denied');
    expect(outcome('bob', ['platform-admins'])).toBe('exempt');
    expect(outcome('system:serviceaccount:argocd:argocd-application-controller')).toBe('exempt');
    expect(outcome('system:serviceaccount:argocd:argocd-server')).toBe('denied');
    expect(outcome('system:serviceaccount:tools:anything')).toBe('exempt');
    const d = validate(admissionReview(privileged, { username: 'bob', groups: ['platform-admins'] }), NO_LABEL, h);
    expect(responseOf(d).auditAnnotations).toEqual({ exempt: 'group "platform-admins"' });
  });
});

describe('policy per namespace', () => {
  const plain = admissionReview(pod({ containers: [{ name: 'app', image: 'nginx:1.27' }] }));

  it('denies what restricted forbids in a namespace labelled vigil.dev/enforce=restricted', () => {
    const d = validate(plain, { kind: 'level', level: 'restricted' });
    expect(d.outcome).toBe('denied');
    expect(responseOf(d).status?.message).toContain('enforce restricted (from the namespace label vigil.dev/enforce)');
  });

  it('denies nothing from Pod Security in a namespace labelled privileged, but still warns', () => {
    const privileged = admissionReview(pod({ containers: [{ name: 'a', image: 'x:1', securityContext: { privileged: true } }] }));
    const d = validate(privileged, { kind: 'level', level: 'privileged' });
    expect(d.outcome).toBe('warned');
    expect(responseOf(d).warnings?.[0]).toMatch(/^\[pod-security\/baseline-privileged\]/);
  });

  it('fails closed on an invalid label, and says why', () => {
    const d = validate(plain, { kind: 'invalid' });
    expect(d.outcome).toBe('denied');
    expect(responseOf(d).warnings?.[0]).toContain('label is not privileged, baseline or restricted');
  });

  it('lets the configuration decide per check and per namespace', () => {
    const config = parseAdmissionConfig(
      `admission:
  policy:
    checks:
      images/latest-tag: deny
      resources/*: off
  namespaces:
    legacy:
      enforce: privileged
      checks:
        images/*: warn
`,
      'vigil.yaml',
    );
    const h = new AdmissionHandler({ config });
    const latest = pod({ ...RESTRICTED_SPEC, containers: [{ ...RESTRICTED_SPEC.containers[0], image: 'nginx' }] });
    const shop = validate(admissionReview(latest, { namespace: 'shop' }), NO_LABEL, h);
    expect(shop.outcome).toBe('denied');
    expect(responseOf(shop).status?.message).toContain('[images/latest-tag] spec.containers[0].image: Container "app" uses image "nginx"');
    const legacy = validate(admissionReview(latest, { namespace: 'legacy' }), { kind: 'level', level: 'restricted' }, h);
    expect(legacy.outcome).toBe('warned');
    expect(responseOf(legacy).warnings?.[0]).toMatch(/^\[images\/latest-tag\]/);
    // resources/* is off: no finding of it is recorded anywhere.
    const bare = pod({ ...RESTRICTED_SPEC, containers: [{ ...RESTRICTED_SPEC.containers[0], resources: {} }] });
    const off = validate(admissionReview(bare), NO_LABEL, h);
    expect(off.outcome).toBe('allowed');
    expect(JSON.stringify(off.review)).not.toContain('resources/');
  });
});

describe('exceptions', () => {
  const privileged = pod(
    { containers: [{ name: 'agent', image: 'x:1', securityContext: { privileged: true } }] },
    { annotations: { 'vigil.dev/ignore': 'pod-security/baseline-privileged: we need it' } },
  );

  it('ignores vigil.dev/ignore annotations: whoever deploys controls them', () => {
    expect(validate(admissionReview(privileged)).outcome).toBe('denied');
  });

  it('applies .vigil.yaml exceptions and records the finding as suppressed', () => {
    const config = parseAdmissionConfig(
      `exceptions:
  - check: pod-security/baseline-privileged
    namespace: shop
    name: web
    reason: the node agent needs the host devices
`,
      'vigil.yaml',
    );
    const d = validate(admissionReview(privileged), NO_LABEL, new AdmissionHandler({ config }));
    expect(d.outcome).not.toBe('denied');
    expect(responseOf(d).auditAnnotations?.['suppressed']).toBe(
      'pod-security/baseline-privileged@spec.containers[0].securityContext.privileged',
    );
    expect(d.findings).toContainEqual({
      checkId: 'pod-security/baseline-privileged',
      action: 'suppressed',
      path: 'spec.containers[0].securityContext.privileged',
    });
  });

  it('stops applying an exception after its expiry date', () => {
    const config = parseAdmissionConfig(
      `exceptions:
  - check: pod-security/baseline-privileged
    reason: until the migration
    expires: 2025-06-30
`,
      'vigil.yaml',
    );
    let today = '2025-06-30';
    const h = new AdmissionHandler({ config, today: () => today });
    expect(validate(admissionReview(privileged), NO_LABEL, h).outcome).not.toBe('denied');
    today = '2025-07-01';
    expect(validate(admissionReview(privileged), NO_LABEL, h).outcome).toBe('denied');
  });
});

describe('failures', () => {
  const throwing = defineCheck({
    id: 'images/explodes',
    target: 'Container',
    meta: { title: 't', area: 'images', defaultSeverity: 'high', description: 'd', remediation: 'r' },
    messages: { m: 'm' },
    run() {
      throw new Error('boom');
    },
  }) as Check;
  const catalog = new Map([...CATALOG, ['images/explodes', throwing]]);

  it('refuses when a check the namespace enforces fails on the object (fail closed), and only warns otherwise', () => {
    const deny = new AdmissionHandler({
      catalog,
      config: parseAdmissionConfig('admission:\n  policy:\n    checks:\n      images/explodes: deny\n', 'c.yaml'),
    });
    const d = validate(admissionReview(pod(RESTRICTED_SPEC)), NO_LABEL, deny);
    expect(d.outcome).toBe('denied');
    expect(responseOf(d).status?.message).toContain('[images/explodes] the check failed on this object');
    expect(responseOf(d).status?.message).not.toContain('boom');
    expect(responseOf(d).auditAnnotations?.['check-errors']).toBe('images/explodes');
    const warn = new AdmissionHandler({
      catalog,
      config: parseAdmissionConfig('admission:\n  policy:\n    checks:\n      images/explodes: warn\n', 'c.yaml'),
    });
    const w = validate(admissionReview(pod(RESTRICTED_SPEC)), NO_LABEL, warn);
    expect(w.outcome).toBe('warned');
  });

  it('answers an object nested deeper than the stack with a well-formed refusal, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const before = pod({ containers: [{ name: 'a', image: 'x:1' }] });
    const after = pod({ containers: [{ name: 'a', image: 'x:1' }], deep });
    const d = validate(
      admissionReview(after, { operation: 'UPDATE', oldObject: { ...before, spec: { ...(before.spec as object), deep: 1 } } }),
    );
    expect(d.httpStatus).toBe(200);
    expect(['denied', 'error', 'skipped']).toContain(d.outcome);
    expect(d.review.response.uid).toBe('0a5e3f4c-9d2b-4e71-8c6a-5f0b1d2e3c4a');
  });

  it.each([
    ['not JSON', '{"apiVersion":', 'the request body is not valid JSON'],
    ['an array', '[]', 'the request body is not a JSON object'],
    ['another kind', '{"apiVersion":"v1","kind":"Pod"}', 'expected kind AdmissionReview, got "Pod"'],
    [
      'v1beta1',
      '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}',
      'expected apiVersion admission.k8s.io/v1',
    ],
    ['no request', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', 'the AdmissionReview has no request'],
  ])('refuses %s with a 400 AdmissionReview', (_name, body, message) => {
    const d = handler.handleBody('validate', NO_LABEL, body);
    expect(d.httpStatus).toBe(400);
    expect(d.outcome).toBe('invalid');
    expect(d.review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: false } });
    expect(d.review.response.status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(d.review.response.status?.message).toContain(message);
  });

  it('refuses a request whose object contradicts its kind, echoing the uid', () => {
    const review = admissionReview(pod(RESTRICTED_SPEC));
    const request = review.request as Record<string, unknown>;
    const d = validate({ ...review, request: { ...request, kind: { group: 'apps', version: 'v1', kind: 'Deployment' } } });
    expect(d.httpStatus).toBe(200);
    expect(d.review.response).toMatchObject({ uid: request.uid, allowed: false, status: { code: 400 } });
    expect(d.review.response.status?.message).toBe('request.object is a Pod, but request.kind says Deployment');
  });

  it('refuses a body that is not JSON by media type with 415', () => {
    const d = handler.handleBody('validate', NO_LABEL, '{}', 'text/yaml');
    expect(d.httpStatus).toBe(415);
    expect(d.review.response.status?.reason).toBe('UnsupportedMediaType');
  });
});

describe('mutation', () => {
  it('sets the missing safe defaults as a JSON Patch and reports what changed', () => {
    const review = fixtureReview('pod-create-by-replicaset');
    const d = handler.handleValue('mutate', NO_LABEL, review);
    const r = responseOf(d);
    expect(d.outcome).toBe('mutated');
    expect(r.allowed).toBe(true);
    expect(r.patchType).toBe('JSONPatch');
    expect(d.patched).toEqual([
      'spec.securityContext.seccompProfile.type',
      'spec.containers[0].securityContext.allowPrivilegeEscalation',
      'spec.containers[0].securityContext.capabilities.drop',
      'spec.containers[0].securityContext.runAsNonRoot',
    ]);
    expect(r.auditAnnotations?.['mutated']).toBe(
      'spec.securityContext.seccompProfile.type=RuntimeDefault, spec.containers[0].securityContext.allowPrivilegeEscalation=false, spec.containers[0].securityContext.capabilities.drop=["ALL"], spec.containers[0].securityContext.runAsNonRoot=true',
    );
    expect(r.warnings?.[0]).toMatch(
      /^Vigil set safe defaults on Pod shop\/web-7d9f8c6b5-\*: spec\.securityContext\.seccompProfile\.type=RuntimeDefault/,
    );
    // The patched pod passes restricted: validation in a restricted namespace admits it.
    const object = (review.request as { object: Record<string, unknown> }).object;
    const patched = applyPatch(object, patchOf(r));
    const after = validate(admissionReview(patched, { namespace: 'shop' }), { kind: 'level', level: 'restricted' });
    expect(after.outcome).not.toBe('denied');
    // And mutating the result again changes nothing (reinvocation is harmless).
    const again = handler.handleValue('mutate', NO_LABEL, admissionReview(patched, { namespace: 'shop' }));
    expect(responseOf(again).patch).toBeUndefined();
  });

  it('does not touch pods in exempt namespaces, or pods on update', () => {
    expect(handler.handleValue('mutate', NO_LABEL, fixtureReview('pod-create-kube-system')).outcome).toBe('exempt');
    expect(handler.handleValue('mutate', NO_LABEL, fixtureReview('pod-status-update')).outcome).toBe('skipped');
    const update = admissionReview(pod({ containers: [{ name: 'a', image: 'x:2' }] }), {
      operation: 'UPDATE',
      oldObject: pod({ containers: [{ name: 'a', image: 'x:1' }] }),
    });
    const d = handler.handleValue('mutate', NO_LABEL, update);
    expect(d.outcome).toBe('skipped');
    expect(d.reason).toBe('pod containers cannot change in place');
  });

  it('sets defaults only on the ephemeral container being added', () => {
    const d = handler.handleValue('mutate', NO_LABEL, fixtureReview('pod-ephemeral-debug'));
    // The debug container is privileged: no allowPrivilegeEscalation=false (the API server would refuse it) and no drop.
    expect(d.patched ?? []).toEqual([]);
    const plainDebug = fixtureReview('pod-ephemeral-debug');
    const request = plainDebug.request as { object: { spec: { ephemeralContainers: Record<string, unknown>[] } } };
    delete request.object.spec.ephemeralContainers[0]?.securityContext;
    const again = handler.handleValue('mutate', NO_LABEL, plainDebug);
    expect(again.patched).toEqual([
      'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation',
      'spec.ephemeralContainers[0].securityContext.capabilities.drop',
    ]);
  });

  it('honours mutate: false in a namespace entry', () => {
    const config = parseAdmissionConfig('admission:\n  namespaces:\n    shop:\n      mutate: false\n', 'c.yaml');
    const d = new AdmissionHandler({ config }).handleValue('mutate', NO_LABEL, fixtureReview('pod-create-by-replicaset'));
    expect(d.outcome).toBe('skipped');
    expect(responseOf(d).patch).toBeUndefined();
  });
});

describe('configuration', () => {
  it('refuses check patterns that match nothing, or only checks that cannot run in admission', () => {
    const vigil = parseConfig('', 'c.yaml');
    const bad =
      (checks: string): (() => AdmissionHandler) =>
      () =>
        new AdmissionHandler({
          config: { vigil, admission: { ...parseAdmissionConfig(`admission:\n  policy:\n    checks:\n${checks}`, 'c.yaml').admission } },
        });
    expect(bad('      images/nope: deny\n')).toThrow('admission.policy.checks["images/nope"] matches no check');
    expect(bad('      rbac/secrets-read: deny\n')).toThrow('matches no check that runs in admission');
    expect(bad('      network/policy-selects-no-pod: deny\n')).toThrow('matches no check that runs in admission');
  });
});
