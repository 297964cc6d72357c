import { Buffer } from 'node:buffer';

import { describe, expect, it } from 'vitest';

import { findingsOf, findingsOfYaml, object } from '../../test-support/check-harness.js';
import check from './check.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('secrets/plaintext-in-manifest', () => {
  it('reports a Secret file with values, naming the keys but not the values', () => {
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  user: ${b64('app')}\n  password: ${b64('hunter2')}\n  empty: ""\n`;
    const findings = findingsOfYaml(check, yaml);
    expect(findings.map((f) => [f.severity, f.location.path, f.location.line])).toEqual([['medium', 'data', 5]]);
    expect(findings[0]?.message).toContain('2 value(s) in plain text (user, password) in test.yaml');
    expect(JSON.stringify(findings)).not.toContain('hunter2');
    expect(JSON.stringify(findings)).not.toContain(b64('hunter2'));
  });

  it('raises a committed private key to high', () => {
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\ndata:\n  tls.key: ${b64('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n')}\n`;
    expect(findingsOfYaml(check, yaml).map((f) => f.severity)).toEqual(['high']);
  });

  it('does not judge SOPS files, templates, or objects that did not come from a file', () => {
    const sops = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ENC[AES256_GCM,data:Tr7o,iv:x,tag:y,type:str]\nsops:\n  version: 3.8.1\n`;
    expect(findingsOfYaml(check, sops)).toEqual([]);
    const templated = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: "{{ .Values.password }}"\n`;
    expect(findingsOfYaml(check, templated)).toEqual([]);
    expect(findingsOf(check, [object('v1', 'Secret', 'db', { data: { password: b64('x1') } })])).toEqual([]);
  });
});
