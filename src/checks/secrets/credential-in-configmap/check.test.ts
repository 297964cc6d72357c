import { Buffer } from 'node:buffer';

import { describe, expect, it } from 'vitest';

import { findingsOf, findingsOfYaml, object } from '../../test-support/check-harness.js';
import check from './check.js';

const configMap = (data: Record<string, string>, extra: Record<string, unknown> = {}) =>
  object('v1', 'ConfigMap', 'cfg', { data, ...extra }, { namespace: 'app' });

describe('secrets/credential-in-configmap', () => {
  it('reports a literal value under a credential key, pointing at the key', () => {
    const findings = findingsOf(check, [configMap({ db_password: 'abc123', db_user: 'app' })]);
    expect(findings.map((f) => [f.location.path, f.message])).toEqual([
      ['data.db_password', expect.stringContaining('key "db_password" holds a literal value under a credential name')],
    ]);
  });

  it('reports properties inside file-like values with their line', () => {
    const findings = findingsOf(check, [configMap({ 'redis.conf': 'port 6379\nrequirepass: q9Zr2LwPp\nmasterauth=${AUTH}\n' })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('at line 2 of the value ("requirepass")');
  });

  it('reports token formats in binaryData', () => {
    const pem = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n').toString('base64');
    const findings = findingsOf(check, [configMap({}, { binaryData: { 'key.pem': pem } })]);
    expect(findings.map((f) => f.location.path)).toEqual(['binaryData["key.pem"]']);
  });

  it('locates the key in the file and never prints the value', () => {
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n  api_key: "sk_live_abcdefghijklmnopqrstuvwx"\n';
    const findings = findingsOfYaml(check, yaml);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.location.line === 7)).toBe(true);
    expect(JSON.stringify(findings)).not.toContain('sk_live_abcdefghijklmnopqrstuvwx');
  });

  it.each([
    ['settings', { mode: 'fast', 'game.properties': 'enemy.types=aliens,monsters\nplayer.maximum-lives=5\n' }],
    ['references', { 'app.env': 'DB_PASSWORD=${DB_PASSWORD}\nAPI_TOKEN=$(TOKEN)\n' }],
    ['secret names', { secretName: 'db', existingSecret: 'db-creds', 'tls.secret': 'ingress-tls' }],
  ])('does not report %s', (_label, data) => {
    expect(findingsOf(check, [configMap(data)])).toEqual([]);
  });
});
