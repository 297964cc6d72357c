import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { run } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'serve-token-0123456789abcdef\n');
writeFileSync(join(dir, 'tls.crt'), 'x');
writeFileSync(join(dir, 'tls.key'), 'x');

describe('vigil audit serve', () => {
  it('prints the kubeconfig for --audit-webhook-config-file without the token itself', async () => {
    const r = await run([
      'audit',
      'serve',
      '--tls-cert',
      join(dir, 'tls.crt'),
      '--tls-key',
      join(dir, 'tls.key'),
      '--token-file',
      tokenFile,
      '--public-url',
      'https://vigil.example:8443/v1/audit',
      '--ca-file',
      '/etc/vigil/ca.crt',
      '--print-kubeconfig',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('serve-token-0123456789abcdef');
    const config = parse(r.stdout) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
      'current-context': string;
    };
    expect(config.clusters[0]?.cluster).toEqual({
      server: 'https://vigil.example:8443/v1/audit',
      'certificate-authority': '/etc/vigil/ca.crt',
    });
    expect(config.users[0]?.user).toEqual({ tokenFile });
    expect(config['current-context']).toBe('vigil-audit');
  });

  it('refuses to start without TLS off loopback, or without authentication', async () => {
    expect((await run(['audit', 'serve', '--host', '0.0.0.0', '--insecure-http', '--token-file', tokenFile])).stderr).toContain(
      'plain HTTP is refused',
    );
    expect((await run(['audit', 'serve', '--insecure-http'])).stderr).toContain('needs authentication');
    expect((await run(['audit', 'serve', '--token-file', tokenFile])).code).toBe(2);
    writeFileSync(join(dir, 'short'), 'abc\n');
    expect((await run(['audit', 'serve', '--insecure-http', '--token-file', join(dir, 'short')])).stderr).toContain(
      'at least 16 characters',
    );
  });
});
