import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Environment } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { scanInputs } from '../checks/scan.js';
import { isAtLeast } from '../core/severity.js';
import { compileLabelSelector } from '../k8s/label-selector.js';
import { parseAdmissionConfig } from './config.js';
import { admissionManifests } from './manifests.js';

type Obj = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } };

interface WebhookEntry {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: { service: { namespace: string; name: string; path: string; port: number }; caBundle?: string };
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  namespaceSelector: unknown;
  matchConditions?: { name: string; expression: string }[];
  rules: { operations: string[]; resources: string[]; scope: string }[];
  reinvocationPolicy?: string;
}

function objectsOf(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

function webhooksOf(objects: readonly Obj[], kind: string): WebhookEntry[] {
  return (objects.find((o) => o.kind === kind) as unknown as { webhooks: WebhookEntry[] } | undefined)?.webhooks ?? [];
}

function selected(hook: WebhookEntry, namespace: string, labels: Record<string, string> = {}): boolean {
  const selector = compileLabelSelector(hook.namespaceSelector);
  return selector.matches({ 'kubernetes.io/metadata.name': namespace, ...labels });
}

const generated = admissionManifests();
const objects = objectsOf(generated.text);
const validating = webhooksOf(objects, 'ValidatingWebhookConfiguration');
const mutating = webhooksOf(objects, 'MutatingWebhookConfiguration');

describe('vigil admission manifests', () => {
  it('emits the objects that run the webhook, and no RBAC at all', () => {
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'Secret',
      'Service',
      'Deployment',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
    ]);
    expect(objects.filter((o) => o.kind.includes('Role'))).toEqual([]);
    const account = objects.find((o) => o.kind === 'ServiceAccount') as unknown as { automountServiceAccountToken: boolean };
    expect(account.automountServiceAccountToken).toBe(false);
    // Every choice is explained in the output.
    expect(generated.text).toContain('# Validation. failurePolicy Fail:');
    expect(generated.text).toContain('# Mutation (opt-in)');
  });

  it('uses safe webhook settings: v1 reviews, no side effects, a 3 s timeout, Fail for validation and Ignore for mutation', () => {
    expect(validating.length).toBe(5);
    for (const hook of [...validating, ...mutating]) {
      expect(hook.admissionReviewVersions).toEqual(['v1']);
      expect(hook.sideEffects).toBe('None');
      expect(hook.timeoutSeconds).toBe(3);
      expect(hook.clientConfig.service).toMatchObject({ namespace: 'vigil', name: 'vigil-admission', port: 443 });
      for (const rule of hook.rules) {
        expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
        expect(rule.scope).toBe('Namespaced');
        expect(rule.resources).not.toContain('secrets');
      }
    }
    expect(validating.every((h) => h.failurePolicy === 'Fail')).toBe(true);
    expect(mutating.map((h) => [h.failurePolicy, h.reinvocationPolicy])).toEqual([['Ignore', 'IfNeeded']]);
    const ignore = webhooksOf(
      objectsOf(admissionManifests({ failurePolicy: 'Ignore', timeoutSeconds: 5 }).text),
      'ValidatingWebhookConfiguration',
    );
    expect(ignore.every((h) => h.failurePolicy === 'Ignore' && h.timeoutSeconds === 5)).toBe(true);
  });

  it.each([
    [{}, '/validate'],
    [{ 'vigil.dev/enforce': 'baseline' }, '/validate/baseline'],
    [{ 'vigil.dev/enforce': 'restricted' }, '/validate/restricted'],
    [{ 'vigil.dev/enforce': 'privileged' }, '/validate/privileged'],
    [{ 'vigil.dev/enforce': 'strict' }, '/validate/invalid-label'],
  ])('routes a namespace labelled %j to exactly one validating webhook: %s', (labels, path) => {
    const hooks = validating.filter((h) => selected(h, 'shop', labels));
    expect(hooks.map((h) => h.clientConfig.service.path)).toEqual([path]);
  });

  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'vigil'])('never sends requests from %s', (namespace) => {
    for (const hook of [...validating, ...mutating]) {
      expect(selected(hook, namespace)).toBe(false);
      expect(selected(hook, namespace, { 'vigil.dev/enforce': 'restricted', 'vigil.dev/mutate': 'true' })).toBe(false);
    }
  });

  it('adds matchConditions that leave out exempt namespaces and objects being deleted (CEL, evaluated here)', () => {
    const env = new Environment({ unlistedVariablesAreDyn: true });
    const hook = validating[0];
    const conditions = (hook?.matchConditions ?? []).map((c) => env.parse(c.expression));
    expect(conditions.length).toBe(2);
    const all = (namespace: string, metadata: Record<string, unknown> = {}): boolean =>
      conditions.every((c) => c({ request: { namespace }, object: { metadata } }) === true);
    expect(all('shop')).toBe(true);
    expect(all('kube-system')).toBe(false);
    expect(all('vigil')).toBe(false);
    expect(all('shop', { deletionTimestamp: '2025-01-01T00:00:00Z' })).toBe(false);
    expect(objectsOf(admissionManifests({ matchConditions: false }).text).some((o) => JSON.stringify(o).includes('matchConditions'))).toBe(
      false,
    );
  });

  it('mutates only namespaces that opt in, by label or by name in the configuration', () => {
    expect(selected(mutating[0] as WebhookEntry, 'shop')).toBe(false);
    expect(selected(mutating[0] as WebhookEntry, 'shop', { 'vigil.dev/mutate': 'true' })).toBe(true);
    const text = 'admission:\n  namespaces:\n    payments:\n      mutate: true\n';
    const withConfig = admissionManifests({ config: { text, settings: parseAdmissionConfig(text, 'c.yaml').admission } });
    const configured = objectsOf(withConfig.text);
    const hooks = webhooksOf(configured, 'MutatingWebhookConfiguration');
    expect(hooks.filter((h) => selected(h, 'payments')).length).toBe(1);
    expect(hooks.filter((h) => selected(h, 'payments', { 'vigil.dev/mutate': 'true' })).length).toBe(1);
    expect(hooks.filter((h) => selected(h, 'shop')).length).toBe(0);
    // The configuration ships in a ConfigMap the Deployment mounts and passes with --config.
    expect(configured.find((o) => o.kind === 'ConfigMap')).toMatchObject({ data: { 'vigil.yaml': text } });
    expect(withConfig.text).toContain('--config=/etc/vigil/config/vigil.yaml');
  });

  it('ships a serving certificate for the Service name, signed by the CA in every caBundle', () => {
    const secret = objects.find((o) => o.kind === 'Secret') as unknown as { type: string; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/tls');
    const cert = new X509Certificate(Buffer.from(secret.data['tls.crt'] ?? '', 'base64'));
    const caPem = Buffer.from(validating[0]?.clientConfig.caBundle ?? '', 'base64');
    const ca = new X509Certificate(caPem);
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:vigil-admission.vigil.svc, DNS:vigil-admission.vigil.svc.cluster.local');
    for (const hook of [...validating, ...mutating]) expect(hook.clientConfig.caBundle).toBe(validating[0]?.clientConfig.caBundle);
    expect(generated.certificateExpires?.getTime()).toBe(new Date(cert.validTo).getTime());
  });

  it('with --cert-manager, emits issuers and a Certificate instead of key material, and asks cainjector for the caBundle', () => {
    const cm = objectsOf(admissionManifests({ certManager: true }).text);
    expect(cm.some((o) => o.kind === 'Secret')).toBe(false);
    expect(cm.filter((o) => o.kind === 'Certificate').map((o) => o.metadata.name)).toEqual(['vigil-admission-ca', 'vigil-admission-tls']);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const config = cm.find((o) => o.kind === kind);
      expect(config?.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'vigil/vigil-admission-tls' });
      for (const hook of webhooksOf(cm, kind)) expect(hook.clientConfig.caBundle).toBeUndefined();
    }
  });

  it('runs the webhook restricted, and its own objects pass Vigil at high and above', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-admission-manifests-'));
    try {
      writeFileSync(join(dir, 'webhook.yaml'), generated.text);
      const report = await scanInputs([dir]);
      expect(report.problems.filter((p) => p.level === 'error')).toEqual([]);
      expect(report.findings.filter((f) => f.suppression === undefined && isAtLeast(f.severity, 'high')).map((f) => f.checkId)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: { spec: { automountServiceAccountToken: boolean; securityContext: unknown; containers: { args: string[] }[] } };
      };
    };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(deployment.spec.template.spec.containers[0]?.args).toContain('--namespace=vigil');
  });
});
