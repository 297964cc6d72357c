// Vigil's own deployment: the plain manifests and the Helm chart scan clean at high and above, grant
// only get/list/watch on exactly the kinds the cluster reader lists, and run restricted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { scanInputs } from '../../src/checks/scan.js';
import { isAtLeast } from '../../src/core/severity.js';
import { CLUSTER_KINDS } from '../../src/sources/cluster-kinds.js';
import { REPO_ROOT } from '../support/shared.js';
import { renderChart } from '../support/tiny-helm.js';

const manifests = join(REPO_ROOT, 'deploy', 'kubernetes');
const chart = join(REPO_ROOT, 'deploy', 'helm', 'vigil');

function helmAvailable(): boolean {
  try {
    execFileSync('helm', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The chart rendered by helm when installed, else by the tiny in-test renderer. */
function rendered(overrides: Record<string, unknown> = {}): string {
  if (helmAvailable() && Object.keys(overrides).length === 0) {
    return execFileSync('helm', ['template', 'vigil', chart, '--namespace', 'vigil'], { encoding: 'utf8' });
  }
  return renderChart(chart, { name: 'vigil', namespace: 'vigil' }, overrides);
}

type Obj = Record<string, unknown> & { kind: string; spec?: Record<string, unknown> };

function objectsOf(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

async function scanText(text: string): Promise<Awaited<ReturnType<typeof scanInputs>>> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-chart-'));
  try {
    writeFileSync(join(dir, 'chart.yaml'), text);
    return await scanInputs([dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sources = [
  { name: 'deploy/kubernetes', scan: () => scanInputs([manifests]) },
  { name: 'the Helm chart (defaults)', scan: () => scanText(rendered()) },
  {
    name: 'the Helm chart (secrets, external store)',
    scan: () => scanText(rendered({ rbac: { secretMetadata: true }, store: 'postgres://vigil@db/vigil' })),
  },
];

describe.each(sources)('$name', ({ scan }) => {
  it('scans clean at high and above, with no input problem', async () => {
    const report = await scan();
    expect(report.summary.objects).toBeGreaterThanOrEqual(6);
    expect(report.problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(report.findings.filter((f) => f.suppression === undefined && isAtLeast(f.severity, 'high'))).toEqual([]);
  });
});

const plain = objectsOf((await import('node:fs')).readFileSync(join(manifests, 'vigil.yaml'), 'utf8'));
const fromChart = objectsOf(rendered());

describe.each([
  ['deploy/kubernetes', plain],
  ['the Helm chart', fromChart],
] as const)('%s', (_name, objects) => {
  it('grants only get, list and watch, on exactly the resources Vigil reads (Secrets only when asked)', () => {
    const role = objects.find((o) => o.kind === 'ClusterRole') as unknown as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const granted = new Set<string>();
    for (const rule of role.rules) {
      expect(rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
      for (const group of rule.apiGroups) for (const resource of rule.resources) granted.add(`${group}/${resource}`);
    }
    const needed = CLUSTER_KINDS.filter((k) => k.plural !== 'secrets').map((k) => `${k.group}/${k.plural}`);
    expect([...granted].sort()).toEqual(needed.sort());
    expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('runs non-root on a read-only root filesystem under the restricted profile', () => {
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        template: { spec: { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown> }[] } };
      };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it('has a NetworkPolicy for itself, ingress on the metrics port only', () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as unknown as {
      spec: { policyTypes: string[]; ingress: { ports: { port: number }[] }[] };
    };
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([9464]);
  });
});

describe('the Helm chart', () => {
  it('adds the Secrets rule only when asked', () => {
    const role = (o: Obj[]): string => JSON.stringify((o.find((x) => x.kind === 'ClusterRole') as unknown as { rules: unknown[] }).rules);
    expect(role(fromChart)).not.toContain('secrets');
    expect(role(objectsOf(rendered({ rbac: { secretMetadata: true } })))).toContain('secrets');
    expect(objectsOf(rendered({ networkPolicy: { enabled: false } })).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });
});
