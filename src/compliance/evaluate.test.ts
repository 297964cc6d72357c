import { describe, expect, it } from 'vitest';

import { CATALOG } from '../checks/catalog.js';
import { defineCheck, type Check } from '../checks/define-check.js';
import { evaluate } from '../checks/run-checks.js';
import { scanObjects, type ScanReport } from '../checks/scan.js';
import { FRAMEWORKS, type FrameworkId } from '../core/frameworks.js';
import { TOOL } from '../core/version.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../k8s/types.js';
import { emptyStats } from '../sources/read-manifest-text.js';
import { staticPod, withFlags } from '../checks/control-plane/test-support/static-pods.js';
import { CATALOGUES, complianceReport, type ControlResult } from './evaluate.js';

function scan(objects: KubeObject[], only?: string[]): ScanReport {
  return scanObjects(
    objects.map((object) => ({ object })),
    emptyStats(),
    [],
    { collectEvaluations: true, today: '2026-01-01', ...(only === undefined ? {} : { only }) },
  );
}

const byId = (controls: readonly ControlResult[], id: string): ControlResult | undefined => controls.find((c) => c.id === id);

describe('compliance catalogues', () => {
  it.each(Object.keys(FRAMEWORKS) as FrameworkId[])(
    '%s has unique control ids and names every control its checks reference',
    (framework) => {
      const catalogue = CATALOGUES[framework];
      const ids = catalogue.controls.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      const known = [...ids, ...(catalogue.otherIds ?? [])];
      const referenced = [...CATALOG.values()].flatMap((check) => check.meta.frameworks?.[framework] ?? []);
      expect(referenced.filter((ref) => !known.includes(ref))).toEqual([]);
    },
  );
});

describe('compliance status', () => {
  it('fails, passes, and tells "not applicable" from "manual"', () => {
    const report = complianceReport(scan([staticPod('kube-apiserver', withFlags({ 'anonymous-auth': 'true' }))]), 'cis');
    expect(byId(report.controls, '1.2.1')).toMatchObject({ status: 'fail', checks: ['control-plane/apiserver-anonymous-auth'] });
    expect(byId(report.controls, '1.2.1')?.findings).toHaveLength(1);
    expect(byId(report.controls, '1.2.15')?.status).toBe('pass');
    // No controller-manager pod was scanned.
    expect(byId(report.controls, '1.3.2')?.status).toBe('not-applicable');
    expect(byId(report.controls, '1.1.1')).toMatchObject({ status: 'manual', reason: expect.stringContaining('File ownership') });
  });

  it('attributes a finding only to the controls it names', () => {
    const report = complianceReport(scan([staticPod('kube-apiserver', withFlags({ 'audit-log-maxage': '7' }))]), 'cis');
    expect(byId(report.controls, '1.2.17')?.status).toBe('fail');
    expect(byId(report.controls, '1.2.16')?.status).toBe('pass');
  });

  it('marks controls whose checks were not run as manual', () => {
    const report = complianceReport(scan([staticPod('kube-apiserver', [])], ['images/*']), 'cis');
    expect(byId(report.controls, '1.2.1')).toMatchObject({ status: 'manual', reason: expect.stringContaining('not run') });
  });

  it('scores the decided controls', () => {
    const { summary } = complianceReport(scan([staticPod('kube-apiserver', withFlags({ profiling: 'true' }))]), 'cis');
    expect(summary.pass + summary.fail + summary.notApplicable + summary.manual).toBe(summary.controls);
    expect(summary.fail).toBeGreaterThan(0);
    expect(summary.score).toBe(Math.round((summary.pass / (summary.pass + summary.fail)) * 1000) / 10);
  });

  it('lights up controls from checks of other areas by id glob, even without references', () => {
    const clusterAdmin = defineCheck({
      id: 'rbac/system-masters-group',
      target: 'Object',
      kinds: ['rbac.authorization.k8s.io/ClusterRoleBinding'],
      meta: { title: 't', area: 'rbac', defaultSeverity: 'high', description: 'd', remediation: 'r' },
      messages: { bound: 'bound' },
      run({ object }, ctx) {
        if (object.roleRef !== undefined) ctx.report({ messageId: 'bound' });
      },
    }) as Check;
    const catalog = new Map([...CATALOG, [clusterAdmin.id, clusterAdmin]]);
    // (CIS 5.1.7, system:masters, has no RBAC check yet; a check whose id matches its glob lights it up.)
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      roleRef: { name: 'cluster-admin' },
    };
    const { inventory } = Inventory.from([{ object: binding }]);
    const result = evaluate(inventory, [{ check: clusterAdmin, severity: 'high', options: {} }], { collectEvaluations: true });
    const report: ScanReport = {
      tool: TOOL,
      summary: scan([]).summary,
      findings: result.findings,
      problems: [],
      checkErrors: [],
      checks: [{ check: clusterAdmin, severity: 'high', options: {} }],
      evaluations: result.evaluations ?? [],
      staleExceptions: [],
    };
    expect(byId(complianceReport(report, 'cis', catalog).controls, '5.1.7')).toMatchObject({
      status: 'fail',
      checks: ['rbac/system-masters-group'],
    });
    // Without that check CIS 5.1.7 (system:masters) has no check yet.
    expect(byId(complianceReport(report, 'cis').controls, '5.1.7')?.status).toBe('manual');
  });

  it('does not fail a control on suppressed findings', () => {
    const pod = staticPod('kube-apiserver', withFlags({ profiling: 'true' }));
    const annotated = {
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'vigil.dev/ignore': 'control-plane/apiserver-profiling: debugging a leak' } },
    };
    const control = byId(complianceReport(scan([annotated]), 'cis').controls, '1.2.15');
    expect(control).toMatchObject({ status: 'pass', suppressed: 1 });
  });
});
