// The Helm chart's admission webhook (admission.enabled) is the same set of objects that
// `vigil admission manifests` generates, so the two ways to install cannot drift apart; it adds no
// RBAC, and it scans clean.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { admissionManifests } from '../../src/admission/manifests.js';
import { scanInputs } from '../../src/checks/scan.js';
import { isAtLeast } from '../../src/core/severity.js';
import { REPO_ROOT } from '../support/shared.js';
import { renderChart } from '../support/tiny-helm.js';

const chart = join(REPO_ROOT, 'deploy', 'helm', 'vigil');
type Obj = Record<string, unknown> & { kind: string; metadata: { name: string } };

function objectsOf(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

const WEBHOOK_KINDS = [
  'ServiceAccount',
  'Service',
  'Deployment',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
];

function admissionObjects(objects: readonly Obj[]): Obj[] {
  return objects
    .filter((o) => o.metadata.name.startsWith('vigil-admission') && WEBHOOK_KINDS.includes(o.kind))
    .sort((a, b) => WEBHOOK_KINDS.indexOf(a.kind) - WEBHOOK_KINDS.indexOf(b.kind));
}

describe('the Helm chart with admission.enabled', () => {
  const generated = admissionManifests({ namespace: 'vigil', name: 'vigil-admission' });
  const generatedObjects = objectsOf(generated.text);
  const caBundle = (
    generatedObjects.find((o) => o.kind === 'ValidatingWebhookConfiguration') as unknown as {
      webhooks: { clientConfig: { caBundle: string } }[];
    }
  ).webhooks[0]?.clientConfig.caBundle;

  it('renders nothing of the webhook by default', () => {
    const objects = objectsOf(renderChart(chart, { name: 'vigil', namespace: 'vigil' }));
    expect(objects.filter((o) => o.metadata.name.startsWith('vigil-admission'))).toEqual([]);
  });

  it('renders exactly the objects `vigil admission manifests` generates (self-signed CA given as tls.caBundle)', () => {
    const objects = objectsOf(
      renderChart(chart, { name: 'vigil', namespace: 'vigil' }, { admission: { enabled: true, tls: { caBundle } } }),
    );
    expect(admissionObjects(objects)).toEqual(admissionObjects(generatedObjects));
    // And no RBAC of its own: the RBAC objects are the monitor's, unchanged.
    const roles = (list: Obj[]): Obj[] => list.filter((o) => o.kind.includes('Role'));
    expect(roles(objects)).toEqual(roles(objectsOf(renderChart(chart, { name: 'vigil', namespace: 'vigil' }))));
  });

  it('with certManager, matches `vigil admission manifests --cert-manager` too', () => {
    const cm = objectsOf(renderChart(chart, { name: 'vigil', namespace: 'vigil' }, { admission: { enabled: true, certManager: true } }));
    const expected = objectsOf(admissionManifests({ namespace: 'vigil', name: 'vigil-admission', certManager: true }).text);
    expect(admissionObjects(cm)).toEqual(admissionObjects(expected));
    const specs = (list: Obj[]): unknown[] => list.filter((o) => o.kind === 'Certificate' || o.kind === 'Issuer').map((o) => o.spec);
    expect(specs(cm)).toEqual(specs(expected));
  });

  it('keeps failurePolicy and timeout as chosen', () => {
    const objects = objectsOf(
      renderChart(
        chart,
        { name: 'vigil', namespace: 'vigil' },
        { admission: { enabled: true, failurePolicy: 'Ignore', timeoutSeconds: 5, tls: { caBundle } } },
      ),
    );
    const expected = objectsOf(admissionManifests({ failurePolicy: 'Ignore', timeoutSeconds: 5 }).text);
    const hooks = (list: Obj[]): unknown =>
      list.filter((o) => o.kind.endsWith('WebhookConfiguration')).map((o) => JSON.stringify(o.webhooks).replace(/"caBundle":"[^"]*"/g, ''));
    expect(hooks(objects)).toEqual(hooks(expected));
  });

  it('scans clean at high and above', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-chart-admission-'));
    try {
      writeFileSync(
        join(dir, 'chart.yaml'),
        renderChart(chart, { name: 'vigil', namespace: 'vigil' }, { admission: { enabled: true, tls: { caBundle } } }),
      );
      const report = await scanInputs([dir]);
      expect(report.problems.filter((p) => p.level === 'error')).toEqual([]);
      expect(report.findings.filter((f) => f.suppression === undefined && isAtLeast(f.severity, 'high')).map((f) => f.checkId)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
