import { describe, expect, it } from 'vitest';

import {
  credentialOptions,
  findCredentials,
  isNotALiteralSecret,
  looksRandom,
  nameSignal,
  shannonEntropy,
  wordsOf,
} from './credentials.js';

const defaults = credentialOptions.parse({});

describe('credential detection', () => {
  it('splits names into words', () => {
    expect(wordsOf('clientSecret')).toEqual(['client', 'secret']);
    expect(wordsOf('DB_PASSWORD')).toEqual(['db', 'password']);
    expect(wordsOf('spring.datasource.password')).toEqual(['spring', 'datasource', 'password']);
    expect(wordsOf('APIKey')).toEqual(['api', 'key']);
  });

  it.each([
    ['password', 'secret'],
    ['db_pwd', 'secret'],
    ['AWS_SECRET_ACCESS_KEY', 'secret'],
    ['api-key', 'secret'],
    ['ENCRYPTION_KEY', 'secret'],
    ['signing_key_pem', 'secret'],
    ['client_secret', 'secret'],
    ['SESSION_SALT', 'hint'],
    ['cache_key_prefix', 'none'],
    ['a_key', 'none'],
    ['password_file', 'none'],
    ['token_url', 'none'],
    ['secretName', 'none'],
    ['existingSecret', 'none'],
    ['access_key_id', 'none'],
    ['public_key', 'none'],
    ['bypass', 'none'],
    ['keyboard_layout', 'none'],
  ])('%s sounds like %s', (name, signal) => {
    expect(nameSignal(name)).toBe(signal);
  });

  it.each([
    '',
    '  ',
    '$(X)',
    '${DB_PASS}',
    '{{ .Values.x }}',
    '/etc/secret',
    'true',
    '30s',
    '42',
    'ENC[AES256_GCM,data:x]',
    '*****',
    '<pw>',
  ])('%j is not a literal secret', (value) => {
    expect(isNotALiteralSecret(value)).toBe(true);
  });

  it('measures entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(looksRandom('9f86d081884c7d659a2feaa0c55ad015')).toBe(true);
    expect(looksRandom('aaaaaaaaaaaaaaaaaaaaaa11')).toBe(false);
    expect(looksRandom('my-service-name-1')).toBe(false);
  });

  it('finds properties inside file-like values, with their lines', () => {
    const file = 'server.port=8080\nspring.datasource.username=app\nspring.datasource.password=Xk82mq93z\n';
    const matches = findCredentials('application.properties', file, defaults);
    expect(matches).toEqual([expect.objectContaining({ kind: 'sensitive-name', line: 3, property: 'spring.datasource.password' })]);
  });

  it('finds token formats anywhere, with their lines', () => {
    const file = 'a: 1\nb: 2\nkey: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIE\n  -----END RSA PRIVATE KEY-----\n';
    expect(findCredentials('config.yaml', file, defaults)).toContainEqual(expect.objectContaining({ kind: 'private-key', line: 4 }));
    expect(findCredentials('x', 'token ghp_' + 'a'.repeat(36), defaults)).toContainEqual(expect.objectContaining({ kind: 'github-token' }));
    expect(
      findCredentials('x', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', defaults),
    ).toContainEqual(expect.objectContaining({ kind: 'jwt' }));
  });

  it('ignores URLs whose password is a reference', () => {
    expect(findCredentials('DSN', 'postgres://app:${DB_PASSWORD}@db/app', defaults)).toEqual([]);
    expect(findCredentials('DSN', 'postgres://app@db/app', defaults)).toEqual([]);
  });
});

describe('credential detection: real-world false positives', () => {
  it.each([
    ['nsswitch.conf', 'passwd:         compat\ngroup:          compat\nshadow:         files sss\n'],
    ['model.py', 'self.tokenizer = AutoTokenizer.from_pretrained(\n    model_id,\n    token=os.environ["HUGGING_FACE_HUB_TOKEN"]\n)\n'],
    ['cni.json', '{\n  "k8s_auth_token": "__SERVICEACCOUNT_TOKEN__"\n}\n'],
    ['setup.sh', 'SECRET_CONTENT=`kubectl get secret x -o jsonpath="{.data.key}" | base64 -d`;\necho done\n'],
    ['backup.sh', "mysql -e \"CHANGE MASTER TO MASTER_HOST='x', \\\n  MASTER_PASSWORD='', \\\n  MASTER_CONNECT_RETRY=10;\"\n"],
  ])('%s', (name, text) => {
    expect(findCredentials(name, text, defaults)).toEqual([]);
  });

  it('treats a value that repeats its name as a placeholder, and still reports short literal passwords in files', () => {
    expect(findCredentials('HF_TOKEN', 'HF_TOKEN', defaults)).toEqual([]);
    expect(findCredentials('relay', 'receivers:\n  postgresql:\n    username: otel\n    password: otel\n', defaults)).toHaveLength(1);
  });
});
