import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

import { docsOf } from '../checks/catalog.js';
import type { ScanReport } from '../checks/scan.js';
import type { Finding } from '../core/finding.js';
import { FRAMEWORKS, type FrameworkId } from '../core/frameworks.js';
import { formatResourceRef } from '../core/resource-ref.js';
import type { Severity } from '../core/severity.js';

/** SARIF levels: what code-scanning UIs show as error / warning / note. */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning ranks security alerts by the `security-severity` rule property
 * (>= 9 critical, 7–8.9 high, 4–6.9 medium, 0.1–3.9 low).
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

const SRCROOT = '%SRCROOT%';

export interface SarifOptions {
  /** Folder that relative artifact URIs are relative to (default: the working directory). */
  readonly baseDir?: string;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** An artifact location for a file path: relative to the base folder when inside it, else an absolute file URI. */
function artifactLocation(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const absolute = resolve(baseDir, file);
  const rel = relative(baseDir, absolute);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
    return { uri: encodePath(rel.split(sep).join('/')), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(absolute).href };
}

function pascalCase(id: string): string {
  return id
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function frameworkTags(finding: { frameworks: Finding['frameworks'] }): string[] {
  const tags: string[] = [];
  for (const id of Object.keys(FRAMEWORKS) as FrameworkId[]) {
    for (const control of finding.frameworks[id] ?? []) tags.push(`${id}:${control}`);
  }
  return tags;
}

/**
 * SARIF 2.1.0: one run, a rule per active check (with its README as help), a result per finding with
 * file, line and column when it came from a file, a stable partial fingerprint, and SARIF
 * `suppressions` for waived findings. Input problems become tool execution notifications.
 */
export function formatSarif(report: ScanReport, options: SarifOptions = {}): string {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const ruleIndex = new Map<string, number>();
  const rules = report.checks.map(({ check, severity }, index) => {
    ruleIndex.set(check.id, index);
    const docs = docsOf(check.id);
    return {
      id: check.id,
      name: pascalCase(check.id),
      shortDescription: { text: check.meta.title },
      fullDescription: { text: check.meta.description },
      help: {
        text: `${check.meta.description}\n\nHow to fix: ${check.meta.remediation}`,
        ...(docs === undefined || docs === '' ? {} : { markdown: docs }),
      },
      defaultConfiguration: { level: LEVEL[severity] },
      properties: {
        tags: ['security', 'kubernetes', check.meta.area, ...frameworkTags({ frameworks: check.meta.frameworks ?? {} })],
        'security-severity': SECURITY_SEVERITY[severity],
        precision: 'high',
        'problem.severity': LEVEL[severity] === 'note' ? 'recommendation' : LEVEL[severity],
      },
    };
  });

  const results = report.findings.map((f) => {
    const file = f.location.file;
    const physical =
      file === undefined || file === '-'
        ? undefined
        : {
            artifactLocation: artifactLocation(file, baseDir),
            ...(f.location.line === undefined
              ? {}
              : { region: { startLine: f.location.line, ...(f.location.column === undefined ? {} : { startColumn: f.location.column }) } }),
          };
    const index = ruleIndex.get(f.checkId);
    return {
      ruleId: f.checkId,
      ...(index === undefined ? {} : { ruleIndex: index }),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          ...(physical === undefined ? {} : { physicalLocation: physical }),
          logicalLocations: [
            {
              fullyQualifiedName: `${formatResourceRef(f.resource)}${f.location.path === '' ? '' : `:${f.location.path}`}`,
              kind: 'resource',
            },
          ],
        },
      ],
      partialFingerprints: { 'vigil/v1': f.fingerprint },
      ...(f.suppression === undefined
        ? {}
        : {
            suppressions: [
              {
                kind: f.suppression.kind === 'annotation' ? 'inSource' : 'external',
                status: 'accepted',
                justification: f.suppression.reason,
                properties: {
                  source: f.suppression.source,
                  ...(f.suppression.expires === undefined ? {} : { expires: f.suppression.expires }),
                },
              },
            ],
          }),
      properties: {
        severity: f.severity,
        resource: f.resource,
        path: f.location.path,
        remediation: f.remediation,
        ...(f.container === undefined ? {} : { container: f.container }),
      },
    };
  });

  const notifications = report.problems.map((p) => ({
    level: p.level === 'info' ? 'note' : p.level,
    message: { text: p.hint === undefined ? p.message : `${p.message} (${p.hint})` },
    descriptor: { id: p.code },
    ...(p.location.file === '-'
      ? {}
      : {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(p.location.file, baseDir),
                ...(p.location.line === undefined
                  ? {}
                  : {
                      region: {
                        startLine: p.location.line,
                        ...(p.location.column === undefined ? {} : { startColumn: p.location.column }),
                      },
                    }),
              },
            },
          ],
        }),
  }));

  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: report.tool.informationUri,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(baseDir + sep).href } },
        invocations: [
          {
            executionSuccessful: report.checkErrors.length === 0,
            ...(notifications.length === 0 ? {} : { toolExecutionNotifications: notifications }),
          },
        ],
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
