import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../../k8s/types.js';
import { readVulnerabilityReport } from '../../../sources/vulnerability-reports.js';
import { container, deployment, findingsOf } from '../../test-support/check-harness.js';
import check from './check.js';

const hex64 = 'b'.repeat(64);

const trivy = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'nginx:1.25',
  ArtifactType: 'container_image',
  Metadata: { RepoTags: ['nginx:1.25'], RepoDigests: [`nginx@sha256:${hex64}`] },
  Results: [
    {
      Target: 'nginx:1.25 (debian 12.5)',
      Vulnerabilities: [
        { VulnerabilityID: 'CVE-2024-0001', PkgName: 'libssl3', InstalledVersion: '3.0.11', FixedVersion: '3.0.13', Severity: 'CRITICAL' },
        { VulnerabilityID: 'CVE-2024-0002', PkgName: 'curl', InstalledVersion: '7.88', Severity: 'HIGH' },
        { VulnerabilityID: 'CVE-2024-0003', PkgName: 'tar', InstalledVersion: '1.34', Severity: 'LOW' },
      ],
    },
  ],
});

const grype = JSON.stringify({
  matches: [
    {
      vulnerability: { id: 'GHSA-xxxx', severity: 'High', fix: { versions: ['1.2.4'], state: 'fixed' } },
      artifact: { name: 'lib', version: '1.2.3' },
    },
    {
      vulnerability: { id: 'CVE-2023-9', severity: 'Negligible', fix: { versions: [], state: 'not-fixed' } },
      artifact: { name: 'x', version: '1' },
    },
  ],
  source: { type: 'image', target: { userInput: 'ghcr.io/acme/api:2.0', tags: ['ghcr.io/acme/api:2.0'], repoDigests: [] } },
  descriptor: { name: 'grype', version: '0.80.0' },
});

function reports(...texts: string[]): KubeObject[] {
  return texts.flatMap((text, i) => readVulnerabilityReport(text, `r${i}.json`).objects.map((o) => o.object));
}
const app = (image: string) => deployment('web', { containers: [container('web', { image })] }, { namespace: 'shop' });

describe('images/known-vulnerabilities', () => {
  it('maps a Trivy report onto the containers that run the image, by tag or by digest', () => {
    for (const image of ['nginx:1.25', 'docker.io/library/nginx:1.25', `nginx@sha256:${hex64}`]) {
      const findings = findingsOf(check, [app(image), ...reports(trivy)]);
      expect(findings.map((f) => [f.severity, f.message])).toEqual([
        [
          'critical',
          `Container "web" runs image "${image}" with 2 known vulnerabilities (1 critical, 1 high; 1 with a fix available), including CVE-2024-0001, CVE-2024-0002 — reported by trivy.`,
        ],
      ]);
    }
  });

  it('reads Grype reports and honours minSeverity and ignoreUnfixed', () => {
    const objects = [app('ghcr.io/acme/api:2.0'), ...reports(grype)];
    expect(findingsOf(check, objects).map((f) => f.severity)).toEqual(['high']);
    expect(findingsOf(check, objects, { minSeverity: 'critical', ignoreUnfixed: false, maxListed: 5 })).toEqual([]);
    expect(findingsOf(check, objects, { minSeverity: 'info', ignoreUnfixed: true, maxListed: 5 })[0]?.message).toContain(
      '1 known vulnerability',
    );
  });

  it('does not judge images no report covers, nor other tags of a scanned image', () => {
    expect(findingsOf(check, [app('nginx:1.26'), ...reports(trivy)])).toEqual([]);
    expect(findingsOf(check, [app('nginx:1.25')])).toEqual([]);
  });
});
