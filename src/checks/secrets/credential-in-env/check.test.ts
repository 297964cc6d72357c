import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const SECRET = 'Zr9-q2Lw-Pp4v';

function run(fields: Record<string, unknown>, options?: unknown) {
  return findingsOf(check, [pod('p', { containers: [container('app', fields)] })], options);
}

describe('secrets/credential-in-env', () => {
  it.each([
    ['a literal password', { env: [{ name: 'DB_PASSWORD', value: SECRET }] }, '/spec/containers/0/env/0/value', 'credential name'],
    ['an api key', { env: [{ name: 'stripeApiKey', value: SECRET }] }, '/spec/containers/0/env/0/value', 'credential name'],
    ['a qualified key', { env: [{ name: 'AZURE_BATCH_KEY', value: 'xxx' }] }, '/spec/containers/0/env/0/value', 'credential name'],
    ['key content', { env: [{ name: 'OCI_CLI_KEY_CONTENT', value: 'xxx' }] }, '/spec/containers/0/env/0/value', 'credential name'],
    [
      'an AWS key under any name',
      { env: [{ name: 'CONFIG', value: 'id=AKIAIOSFODNN7EXAMPLE' }] },
      '/spec/containers/0/env/0/value',
      'AWS access key',
    ],
    [
      'a private key',
      { env: [{ name: 'the_good_stuff', value: '---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END OPENSSH PRIVATE KEY---\n' }] },
      '/spec/containers/0/env/0/value',
      'private key',
    ],
    ['a flag with a value', { args: ['--db-password=' + SECRET] }, '/spec/containers/0/args/0', 'credential name'],
    ['a flag followed by its value', { command: ['app', '--token', SECRET] }, '/spec/containers/0/command/1', 'credential name'],
    ['a URL with a password', { args: ['--dsn=mysql://app:' + SECRET + '@db:3306/app'] }, '/spec/containers/0/args/0', 'URL'],
  ])('reports %s', (_label, fields, pointer, kind) => {
    const findings = run(fields);
    expect(findings.map((f) => f.location.pointer)).toContain(pointer);
    expect(findings.some((f) => f.message.includes(kind))).toBe(true);
  });

  it.each([
    ['a secretKeyRef', { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }],
    ['a file path', { env: [{ name: 'DB_PASSWORD_FILE', value: '/run/secrets/db' }] }],
    ['a path under a credential name', { env: [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/google/key.json' }] }],
    ['an expansion', { env: [{ name: 'API_TOKEN', value: '$(TOKEN)' }] }],
    ['a boolean', { env: [{ name: 'REQUIRE_PASSWORD', value: 'true' }] }],
    ['a number', { env: [{ name: 'PASSWORD_MIN_LENGTH', value: '12' }] }],
    ['the name of a Secret', { env: [{ name: 'TLS_SECRET', value: 'ingress-tls' }] }],
    ['an ordinary setting', { env: [{ name: 'greeting', value: 'hello' }] }],
    ['a public key', { env: [{ name: 'PUBLIC_KEY', value: 'ssh-ed25519 AAAAC3Nza' }] }],
    ['an id', { env: [{ name: 'AWS_ACCESS_KEY_ID_NAME', value: 'aws' }] }],
    ['ordinary args', { args: ['--listen=:8080', '--secret-name=db', '--token-file=/var/run/token'] }],
    ['an empty value', { env: [{ name: 'password', value: '' }] }],
    ['a placeholder', { env: [{ name: 'password', value: '<your-password>' }] }],
  ])('does not report %s', (_label, fields) => {
    expect(run(fields)).toEqual([]);
  });

  it('never puts the value in the message, the path or the fingerprint', () => {
    const findings = run({
      env: [
        { name: 'DB_PASSWORD', value: SECRET },
        { name: 'X', value: 'postgres://u:' + SECRET + '@h/db' },
      ],
      args: ['--token=' + SECRET],
    });
    expect(findings).toHaveLength(3);
    expect(JSON.stringify(findings)).not.toContain(SECRET);
  });

  it('reports a random value under a key-like name at medium severity', () => {
    const findings = run({ env: [{ name: 'COOKIE_SALT', value: 'q8Zr2LwPp4vX7mN3kT9bYc1d' }] });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.severity).toBe('medium');
    expect(run({ env: [{ name: 'CACHE_KEY', value: 'users' }] })).toEqual([]);
  });

  it('takes extra and allowed names from its options', () => {
    const options = { names: ['_pin$'], values: [], allowNames: ['^DB_PASSWORD$'], allowValues: [], entropy: true };
    expect(run({ env: [{ name: 'CARD_PIN', value: '0042x' }] }, options)).toHaveLength(1);
    expect(run({ env: [{ name: 'DB_PASSWORD', value: SECRET }] }, options)).toEqual([]);
  });
});
