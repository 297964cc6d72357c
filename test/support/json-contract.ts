import { z } from 'zod';

import { AREAS } from '../../src/core/area.js';
import { SEVERITIES } from '../../src/core/severity.js';

/**
 * The `vigil scan --format json` contract of DESIGN.md, written independently of the code that
 * produces it, so that a change to the output that breaks consumers fails a test.
 */
const severity = z.enum(SEVERITIES);
const resource = z
  .object({ apiVersion: z.string().min(1), kind: z.string().min(1), namespace: z.string().min(1).optional(), name: z.string().min(1) })
  .strict();

export const findingSchema = z
  .object({
    checkId: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/),
    severity,
    area: z.enum(Object.keys(AREAS) as [string, ...string[]]),
    title: z.string().min(1),
    messageId: z.string().min(1),
    message: z.string().min(1),
    resource,
    location: z
      .object({
        path: z.string(),
        pointer: z.string().regex(/^(\/.*)?$/),
        file: z.string().min(1).optional(),
        documentIndex: z.number().int().min(0).optional(),
        line: z.number().int().min(1).optional(),
        column: z.number().int().min(1).optional(),
      })
      .strict(),
    container: z.string().optional(),
    remediation: z.string().min(1),
    frameworks: z
      .object({
        cis: z.array(z.string()).optional(),
        nsa: z.array(z.string()).optional(),
        mitre: z.array(z.string()).optional(),
        pss: z.array(z.string()).optional(),
      })
      .strict(),
    fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
    suppressed: z.boolean(),
    suppression: z
      .object({
        kind: z.enum(['config', 'annotation']),
        reason: z.string().min(1),
        owner: z.string().optional(),
        expires: z.string().optional(),
        source: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((f) => f.suppressed === (f.suppression !== undefined), 'suppressed must agree with suppression');

const count = z.number().int().min(0);

export const scanJsonSchema = z
  .object({
    tool: z.object({ name: z.literal('vigil'), version: z.string().regex(/^\d+\.\d+\.\d+/) }).strict(),
    summary: z
      .object({
        files: count,
        documents: count,
        objects: count,
        skippedDocuments: count,
        emptyDocuments: count,
        findings: count,
        suppressed: count,
        bySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, count]))).strict(),
        checksRun: count,
        checkErrors: count,
        inputErrors: count,
        inputWarnings: count,
      })
      .strict(),
    findings: z.array(findingSchema),
    problems: z.array(
      z
        .object({
          code: z.string().min(1),
          level: z.enum(['error', 'warning', 'info']),
          location: z
            .object({
              file: z.string().min(1),
              documentIndex: z.number().int().min(0).optional(),
              line: z.number().int().min(1).optional(),
              column: z.number().int().min(1).optional(),
            })
            .strict(),
          message: z.string().min(1),
          hint: z.string().optional(),
        })
        .strict(),
    ),
    checkErrors: z.array(z.object({ checkId: z.string(), resource: resource.optional(), message: z.string() }).strict()),
    staleExceptions: z.array(z.unknown()).optional(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const standing = doc.findings.filter((f) => !f.suppressed);
    if (doc.summary.findings !== standing.length)
      ctx.addIssue({ code: 'custom', message: 'summary.findings must count standing findings' });
    if (doc.summary.suppressed !== doc.findings.length - standing.length)
      ctx.addIssue({ code: 'custom', message: 'summary.suppressed mismatch' });
    for (const s of SEVERITIES) {
      if (doc.summary.bySeverity[s] !== standing.filter((f) => f.severity === s).length)
        ctx.addIssue({ code: 'custom', message: `bySeverity.${s} mismatch` });
    }
  });

export type ScanJson = z.infer<typeof scanJsonSchema>;
