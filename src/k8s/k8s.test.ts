import { describe, expect, it } from 'vitest';

import { parseImageReference } from './image-reference.js';
import { compileLabelSelector, matchesEqualitySelector } from './label-selector.js';
import { containersOf, podTemplateOf } from './pod-templates.js';
import { parseQuantity } from './quantity.js';

describe('compileLabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
  ])('%j matches app=web,tier=front: %s', (selector, expected) => {
    expect(compileLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 'values must be non-empty'],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values must be empty'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'unknown operator'],
    ['app=web', 'must be an object'],
  ])('rejects %j as invalid (matching nothing)', (selector, reason) => {
    const compiled = compileLabelSelector(selector);
    expect(compiled.valid).toBe(false);
    if (!compiled.valid) expect(compiled.reason).toContain(reason);
    expect(compiled.matches(labels)).toBe(false);
  });

  it('treats an equality selector with no pairs as selecting nothing', () => {
    expect(matchesEqualitySelector({}, labels)).toBe(false);
    expect(matchesEqualitySelector(undefined, labels)).toBe(false);
    expect(matchesEqualitySelector({ app: 'web' }, labels)).toBe(true);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2k', 2000],
    ['1e3', 1000],
    ['500n', 5e-7],
    [2, 2],
    ['abc', undefined],
    ['1Zi', undefined],
    [null, undefined],
  ])('%j → %s', (input, expected) => {
    const value = parseQuantity(input);
    if (expected === undefined) expect(value).toBeUndefined();
    else expect(value).toBeCloseTo(expected, 12);
  });
});

describe('parseImageReference', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['ghcr.io/acme/api:2.0', { registry: 'ghcr.io', explicitRegistry: true, repository: 'acme/api', tag: '2.0' }],
    ['localhost:5000/tool', { registry: 'localhost:5000', repository: 'tool', tag: undefined }],
    ['registry.example.com:5000/team/app:v1', { registry: 'registry.example.com:5000', repository: 'team/app', tag: 'v1' }],
    [`nginx@sha256:${'a'.repeat(64)}`, { repository: 'library/nginx', tag: undefined, digest: `sha256:${'a'.repeat(64)}` }],
    [`quay.io/x/y:1@sha256:${'b'.repeat(64)}`, { registry: 'quay.io', tag: '1', digest: `sha256:${'b'.repeat(64)}` }],
  ])('%s', (image, expected) => {
    const ref = parseImageReference(image);
    const actual = {
      registry: ref?.registry,
      explicitRegistry: ref?.explicitRegistry,
      repository: ref?.repository,
      tag: ref?.tag,
      digest: ref?.digest,
    };
    expect(actual).toMatchObject(expected);
  });

  it('rejects empty and whitespace references', () => {
    expect(parseImageReference('  ')).toBeUndefined();
    expect(parseImageReference('nginx latest')).toBeUndefined();
  });
});

describe('podTemplateOf', () => {
  const spec = { containers: [{ name: 'a' }], initContainers: [{ name: 'i' }], ephemeralContainers: [{ name: 'e' }, 'junk'] };
  it.each([
    ['v1', 'Pod', { spec }, '/spec'],
    ['apps/v1', 'Deployment', { spec: { template: { spec } } }, '/spec/template/spec'],
    ['apps/v1', 'StatefulSet', { spec: { template: { spec } } }, '/spec/template/spec'],
    ['batch/v1', 'CronJob', { spec: { jobTemplate: { spec: { template: { spec } } } } }, '/spec/jobTemplate/spec/template/spec'],
    ['v1', 'PodTemplate', { template: { spec } }, '/template/spec'],
  ])('%s %s keeps its template at the right pointer', (apiVersion, kind, body, pointer) => {
    const template = podTemplateOf({ apiVersion, kind, metadata: { name: 'x' }, ...body });
    expect(template?.specPointer).toBe(pointer);
    expect(containersOf(template!.spec, template!.specPointer).map((c) => c.pointer)).toEqual([
      `${pointer}/containers/0`,
      `${pointer}/initContainers/0`,
      `${pointer}/ephemeralContainers/0`,
    ]);
  });

  it('ignores kinds without templates and malformed templates', () => {
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } })).toBeUndefined();
    expect(
      podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: 'nope' } }),
    ).toBeUndefined();
    expect(
      podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec } } }),
    ).toBeUndefined();
  });
});
