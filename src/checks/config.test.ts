import { describe, expect, it } from 'vitest';

import { VigilError } from '../core/errors.js';
import { activeChecks } from './catalog.js';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('reads checks, exceptions and the annotation switch', () => {
    const config = parseConfig(
      [
        'checks:',
        '  images/no-digest: { enabled: false }',
        '  "resources/*": { severity: high }',
        'exceptions:',
        '  - check: images/latest-tag',
        '    namespace: dev-*',
        '    reason: dev runs the newest build',
        '    expires: 2027-01-31',
        'annotationExceptions: false',
      ].join('\n'),
      '.vigil.yaml',
    );
    expect(config.checks['images/no-digest']).toEqual({ enabled: false });
    expect(config.exceptions[0]).toMatchObject({ check: 'images/latest-tag', namespace: 'dev-*', expires: '2027-01-31' });
    expect(config.annotationExceptions).toBe(false);
  });

  it.each([
    ['exceptions:\n  - check: images/latest-tag\n', 2, /exceptions\.0\.reason: a reason is required/],
    ['exceptions:\n  - check: images/latest-tag\n    reason: ok\n    expires: next week\n', 4, /YYYY-MM-DD/],
    ['checks:\n  images/latest-tag:\n    severity: urgent\n', 3, /severity/],
    ['unknown: 1\n', 1, /unknown|Unrecognized/i],
    ['exceptions:\n  - check: Images Latest\n    reason: x\n', 2, /check id/],
  ])('rejects %j naming the line', (text, line, message) => {
    let error: unknown;
    try {
      parseConfig(text, 'conf.yaml');
    } catch (err: unknown) {
      error = err;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).message).toMatch(new RegExp(`^conf\\.yaml:${line}: `));
    expect((error as VigilError).message).toMatch(message);
  });

  it('reports YAML syntax errors in the config with their line', () => {
    expect(() => parseConfig('checks: [\n', 'c.yaml')).toThrow(/^c\.yaml:\d+: YAML syntax error/);
  });
});

describe('activeChecks', () => {
  it('applies severity and enabled settings, exact ids over globs', () => {
    const config = parseConfig(
      'checks:\n  "resources/*": { severity: high }\n  resources/missing-requests: { severity: info }\n  images/no-digest: { enabled: false }\n',
      'c',
    );
    const active = new Map(activeChecks(config).map((a) => [a.check.id, a.severity]));
    expect(active.get('resources/missing-limits')).toBe('high');
    expect(active.get('resources/missing-requests')).toBe('info');
    expect(active.has('images/no-digest')).toBe(false);
  });

  it('validates options with the check’s schema', () => {
    const good = parseConfig('checks:\n  resources/missing-limits: { options: { require: [memory] } }\n', 'c');
    expect(activeChecks(good).find((a) => a.check.id === 'resources/missing-limits')?.options).toEqual({ require: ['memory'] });
    const bad = parseConfig('checks:\n  resources/missing-limits: { options: { require: [gpu] } }\n', 'c');
    expect(() => activeChecks(bad)).toThrow(/checks\.resources\/missing-limits\.options\.require/);
    const none = parseConfig('checks:\n  images/latest-tag: { options: { x: 1 } }\n', 'c');
    expect(() => activeChecks(none)).toThrow(/takes no options/);
  });

  it('selects with --only and --skip, refusing patterns that match nothing', () => {
    const empty = parseConfig('', 'c');
    expect(activeChecks(empty, { only: ['images/*-tag', 'images/no-*'] }).map((a) => a.check.id)).toEqual([
      'images/latest-tag',
      'images/no-digest',
    ]);
    expect(activeChecks(empty, { only: ['images/*-tag', 'images/no-*'], skip: ['images/no-digest'] }).map((a) => a.check.id)).toEqual([
      'images/latest-tag',
    ]);
    expect(() => activeChecks(empty, { only: ['images/latst-tag'] })).toThrow(/no check matches/);
  });
});
