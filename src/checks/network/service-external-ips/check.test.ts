import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../../k8s/types.js';
import { findingsOf } from '../../test-support/check-harness.js';
import check from './check.js';

function service(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { app: 'api' }, ports: [{ port: 80 }], ...spec },
  };
}

describe('network/service-external-ips', () => {
  it('reports externalIPs at the field, listing them', () => {
    expect(
      findingsOf(check, [service({ externalIPs: ['203.0.113.10', '203.0.113.11'] })]).map((f) => [
        f.location.pointer,
        f.message.slice(0, 59),
      ]),
    ).toEqual([['/spec/externalIPs', 'Service "api" sets externalIPs (203.0.113.10, 203.0.113.11)']]);
  });

  it.each([[{}], [{ externalIPs: [] }], [{ type: 'LoadBalancer' }], [{ externalIPs: 'not-a-list' }]])('does not report %j', (spec) => {
    expect(findingsOf(check, [service(spec)])).toEqual([]);
  });
});
