import { z } from 'zod';

import { bySeverityDescending, isAtLeast, SEVERITIES } from '../../../core/severity.js';
import { defineCheck } from '../../define-check.js';
import { vulnerabilitiesOf } from '../vulnerability-index.js';

const options = z
  .object({
    /** Report vulnerabilities at or above this severity. */
    minSeverity: z.enum(SEVERITIES).default('high'),
    /** Leave out vulnerabilities that have no fixed version yet. */
    ignoreUnfixed: z.boolean().default(false),
    /** How many vulnerability ids to name in a finding. */
    maxListed: z.number().int().min(1).max(50).default(5),
  })
  .strict();

export default defineCheck({
  id: 'images/known-vulnerabilities',
  target: 'Container',
  reads: ['vigil.dev/ImageVulnerabilityReport', 'aquasecurity.github.io/VulnerabilityReport'],
  meta: {
    title: 'Image has known vulnerabilities',
    area: 'images',
    defaultSeverity: 'high',
    frameworks: {
      nsa: ['Building secure container images', 'Upgrading and application security practices'],
      mitre: ['T1190', 'T1068', 'T1611'],
    },
    description:
      'A vulnerability scanner (Trivy, Grype, Trivy Operator) found known vulnerabilities in the image this container runs. Known, published vulnerabilities with public exploits are the first thing attackers try against a reachable workload.',
    remediation:
      'Rebuild the image on a patched base image or upgrade the vulnerable packages (the finding lists how many have a fixed version), redeploy, and scan again.',
  },
  messages: {
    vulnerable:
      'Container "{{name}}" runs image "{{image}}" with {{count}} known {{what}} ({{bySeverity}}; {{fixable}} with a fix available), including {{ids}} — reported by {{scanners}}.',
  },
  options,
  run({ container, pointer, pod }, ctx) {
    if (typeof container.image !== 'string') return;
    const known = vulnerabilitiesOf(pod.inventory, container.image);
    // No report names this image: nothing is known about it (scanned images that are clean pass).
    if (known === undefined) {
      ctx.notApplicable();
      return;
    }
    const relevant = known.vulnerabilities
      .filter((v) => isAtLeast(v.severity, ctx.options.minSeverity))
      .filter((v) => !ctx.options.ignoreUnfixed || v.fixedVersion !== undefined)
      .sort((a, b) => bySeverityDescending(a.severity, b.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const worst = relevant[0];
    if (worst === undefined) return;
    const counts = SEVERITIES.map((s) => [s, relevant.filter((v) => v.severity === s).length] as const).filter(([, n]) => n > 0);
    const ids = [...new Set(relevant.map((v) => v.id))];
    const listed =
      ids.slice(0, ctx.options.maxListed).join(', ') +
      (ids.length > ctx.options.maxListed ? `, and ${ids.length - ctx.options.maxListed} more` : '');
    ctx.report({
      messageId: 'vulnerable',
      pointer: `${pointer}/image`,
      data: {
        name: container.name ?? '<unnamed>',
        image: container.image,
        count: relevant.length,
        what: relevant.length === 1 ? 'vulnerability' : 'vulnerabilities',
        bySeverity: counts.map(([s, n]) => `${n} ${s}`).join(', '),
        fixable: relevant.filter((v) => v.fixedVersion !== undefined).length,
        ids: listed,
        scanners: known.scanners.join(', '),
      },
      // The finding is as severe as the worst vulnerability it reports.
      severity: worst.severity,
    });
  },
});
