import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const secret = (name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) =>
  object('v1', 'Secret', name, { type: 'Opaque', ...extra }, { namespace: 'shop', ...metadata });
const app = (spec: Record<string, unknown> = {}) => deployment('api', { containers: [container('api')], ...spec }, { namespace: 'shop' });

function unused(objects: Parameters<typeof findingsOf>[1]): string[] {
  return findingsOf(check, objects).map((f) => f.resource.name);
}

describe('secrets/unused-secret', () => {
  it('reports a Secret that nothing in its namespace refers to', () => {
    expect(unused([secret('leftover'), app()])).toEqual(['leftover']);
  });

  it.each([
    ['a projected volume', app({ volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 's' } }] } }] })],
    ['a CSI volume', app({ volumes: [{ name: 'v', csi: { driver: 'x', nodePublishSecretRef: { name: 's' } } }] })],
    ['an image pull secret', app({ imagePullSecrets: [{ name: 's' }] })],
    [
      'an env var',
      deployment(
        'api',
        { containers: [container('c', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })] },
        { namespace: 'shop' },
      ),
    ],
    ['a service account', object('v1', 'ServiceAccount', 'sa', { secrets: [{ name: 's' }] }, { namespace: 'shop' })],
    [
      'an ingress annotation',
      object(
        'networking.k8s.io/v1',
        'Ingress',
        'i',
        { spec: {} },
        { namespace: 'shop', annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'shop/s' } },
      ),
    ],
    [
      'a gateway',
      object(
        'gateway.networking.k8s.io/v1',
        'Gateway',
        'g',
        { spec: { listeners: [{ tls: { certificateRefs: [{ name: 's' }] } }] } },
        { namespace: 'shop' },
      ),
    ],
    [
      'an Alertmanager, by the Prometheus Operator’s naming convention',
      object('monitoring.coreos.com/v1', 'Alertmanager', 'x', { spec: {} }, { namespace: 'shop' }),
    ],
    ['a cert-manager Certificate', object('cert-manager.io/v1', 'Certificate', 'c', { spec: { secretName: 's' } }, { namespace: 'shop' })],
    [
      'a Role that reads it by name',
      object(
        'rbac.authorization.k8s.io/v1',
        'Role',
        'r',
        { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['s'] }] },
        { namespace: 'shop' },
      ),
    ],
    [
      'a Role that reads every Secret',
      object(
        'rbac.authorization.k8s.io/v1',
        'Role',
        'r',
        { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
        { namespace: 'shop' },
      ),
    ],
  ])('counts a reference from %s', (_label, referrer) => {
    expect(unused([secret(referrer.kind === 'Alertmanager' ? 'alertmanager-x' : 's'), app(), referrer])).toEqual([]);
  });

  it('does not count references from another namespace or a Role that cannot read', () => {
    const elsewhere = deployment(
      'other',
      { containers: [container('c')], volumes: [{ name: 'v', secret: { secretName: 's' } }] },
      { namespace: 'other' },
    );
    const writeOnly = object(
      'rbac.authorization.k8s.io/v1',
      'Role',
      'r',
      { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] },
      { namespace: 'shop' },
    );
    expect(unused([secret('s'), app(), elsewhere, writeOnly])).toEqual(['s']);
  });

  it('does not judge what it cannot see', () => {
    expect(unused([secret('alone')])).toEqual([]);
    expect(unused([secret('token', { type: 'kubernetes.io/service-account-token' }), app()])).toEqual([]);
    expect(
      unused([
        secret('owned', {}, { ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'owned', uid: '1' }] }),
        app(),
      ]),
    ).toEqual([]);
  });
});
