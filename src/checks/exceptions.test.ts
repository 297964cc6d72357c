import { describe, expect, it } from 'vitest';

import { parseConfig } from './config.js';
import { ExceptionMatcher, parseIgnoreAnnotation } from './exceptions.js';
import { deployment, container, podSpec } from './test-support/check-harness.js';
import { Inventory } from '../inventory/inventory.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'dev-1', name: 'web-frontend' };

function matcher(yaml: string, options = { annotations: true, today: '2026-06-01' }) {
  return new ExceptionMatcher(parseConfig(yaml, '.vigil.yaml'), options);
}

describe('config exceptions', () => {
  it('match by check glob, namespace glob, kind, name glob and container', () => {
    const m = matcher(
      'exceptions:\n  - check: "images/*"\n    namespace: dev-*\n    kind: Deployment\n    name: web-*\n    container: side*\n    reason: sidecars are pinned upstream\n    owner: team-a\n',
    );
    expect(m.match({ checkId: 'images/latest-tag', resource: ref, container: 'sidecar' })).toEqual({
      kind: 'config',
      reason: 'sidecars are pinned upstream',
      owner: 'team-a',
      source: '.vigil.yaml exceptions[0]',
    });
    expect(m.match({ checkId: 'images/latest-tag', resource: ref, container: 'main' })).toBeUndefined();
    expect(m.match({ checkId: 'images/latest-tag', resource: ref })).toBeUndefined();
    expect(m.match({ checkId: 'resources/missing-limits', resource: ref, container: 'sidecar' })).toBeUndefined();
    expect(m.match({ checkId: 'images/latest-tag', resource: { ...ref, namespace: 'prod' }, container: 'sidecar' })).toBeUndefined();
    expect(m.match({ checkId: 'images/latest-tag', resource: { ...ref, kind: 'StatefulSet' }, container: 'sidecar' })).toBeUndefined();
  });

  it('stop applying after their expiry date, and are listed as expired', () => {
    const m = matcher(
      'exceptions:\n  - check: images/latest-tag\n    reason: temporary\n    expires: 2026-05-31\n  - check: images/no-digest\n    reason: never used\n',
    );
    expect(m.match({ checkId: 'images/latest-tag', resource: ref })).toBeUndefined();
    expect(m.stale().map((s) => [s.status, s.checks])).toEqual([
      ['expired', ['images/latest-tag']],
      ['unused', ['images/no-digest']],
    ]);
  });

  it('apply on their expiry date itself', () => {
    const m = matcher('exceptions:\n  - check: images/latest-tag\n    reason: until the end of the day\n    expires: 2026-06-01\n');
    expect(m.match({ checkId: 'images/latest-tag', resource: ref })?.reason).toBe('until the end of the day');
    expect(m.stale()).toEqual([]);
  });
});

describe('annotation exceptions', () => {
  const annotated = (value: unknown, where: 'object' | 'template') => {
    const annotations = { 'vigil.dev/ignore': value };
    const object = deployment(
      'web',
      podSpec([container('web')]),
      where === 'object' ? { annotations } : {},
      where === 'template' ? { annotations } : {},
    );
    return Inventory.from([{ object }]).inventory.all()[0]!;
  };

  it('waive the named checks on the object or its pod template', () => {
    for (const where of ['object', 'template'] as const) {
      const entry = annotated('images/latest-tag, images/no-digest: pinned by the release pipeline', where);
      const m = matcher('');
      const candidate = { resource: entry.ref, entry, templateMetadataPointer: '/spec/template/metadata' };
      expect(m.match({ ...candidate, checkId: 'images/no-digest' })).toMatchObject({
        kind: 'annotation',
        reason: 'pinned by the release pipeline',
      });
      expect(m.match({ ...candidate, checkId: 'resources/missing-limits' })).toBeUndefined();
    }
  });

  it('are ignored when turned off', () => {
    const entry = annotated('images/no-digest: pinned', 'object');
    const m = matcher('', { annotations: false, today: '2026-01-01' });
    expect(m.match({ checkId: 'images/no-digest', resource: entry.ref, entry })).toBeUndefined();
  });

  it('without a reason are reported and not applied', () => {
    const entry = annotated('images/no-digest', 'object');
    const m = matcher('');
    expect(m.match({ checkId: 'images/no-digest', resource: entry.ref, entry })).toBeUndefined();
    expect(m.problems).toEqual([
      expect.objectContaining({ code: 'invalid-exception', message: expect.stringContaining('no reason given') }),
    ]);
  });

  it('that match nothing are listed as unused', () => {
    const entry = annotated('images/no-digest: pinned', 'object');
    const m = matcher('');
    m.scanAnnotations([{ entry }]);
    expect(m.stale()).toEqual([expect.objectContaining({ status: 'unused', checks: ['images/no-digest'], resource: entry.ref })]);
  });

  it.each([
    ['images/latest-tag: ok', { checks: ['images/latest-tag'], reason: 'ok' }],
    ['a/b,c/*: two: colons', { checks: ['a/b', 'c/*'], reason: 'two: colons' }],
    ['a/b:', { error: 'the reason after the colon is empty; a justification is required' }],
    [': reason', { error: 'no check id before the colon' }],
    ['Not An Id: x', { error: '"Not An Id" is not a check id' }],
    [42, { error: 'the value must be a string' }],
  ])('parses %j', (value, expected) => {
    expect(parseIgnoreAnnotation(value)).toEqual(expected);
  });
});
