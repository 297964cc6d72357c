import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

describe('secrets/secret-as-env', () => {
  it('reports secretKeyRef env vars and envFrom secretRef, in every kind of container', () => {
    const findings = findingsOf(check, [
      pod('p', {
        initContainers: [container('init', { envFrom: [{ secretRef: { name: 'db' } }] })],
        containers: [
          container('app', {
            env: [
              { name: 'PLAIN', value: 'x' },
              { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              { name: 'CM', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
            ],
          }),
        ],
      }),
    ]);
    expect(findings.map((f) => f.location.pointer).sort()).toEqual([
      '/spec/containers/0/env/1/valueFrom/secretKeyRef',
      '/spec/initContainers/0/envFrom/0/secretRef',
    ]);
    expect(findings.find((f) => f.container === 'app')?.message).toBe(
      'Container "app" reads key "password" of Secret "db" into env var "PW"; mount the Secret as a file instead.',
    );
  });

  it('passes ConfigMap references and mounted Secrets', () => {
    const spec = {
      containers: [container('app', { envFrom: [{ configMapRef: { name: 'c' } }] })],
      volumes: [{ name: 's', secret: { secretName: 'db' } }],
    };
    expect(findingsOf(check, [pod('p', spec)])).toEqual([]);
  });
});
