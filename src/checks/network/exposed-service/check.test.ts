import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const service = (spec: Record<string, unknown>) => object('v1', 'Service', 'svc', { spec }, { namespace: 'x' });

describe('network/exposed-service', () => {
  it.each([
    [{ type: 'ClusterIP', ports: [{ port: 80 }] }, []],
    [{ ports: [{ port: 80 }] }, []],
    [{ type: 'ExternalName', externalName: 'db.example.com' }, []],
    [{ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 81 }] }, ['nodePort']],
    [{ type: 'LoadBalancer', ports: [{ port: 443 }] }, ['loadBalancer']],
    [{ type: 'LoadBalancer', loadBalancerSourceRanges: ['0.0.0.0/0'] }, ['loadBalancer']],
    [{ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] }, ['loadBalancerRestricted']],
  ])('%j → %j', (spec, expected) => {
    expect(findingsOf(check, [service(spec)]).map((f) => f.messageId)).toEqual(expected);
  });

  it('names the node ports and points at spec.type', () => {
    const [finding] = findingsOf(check, [service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 81 }] })]);
    expect(finding?.message).toBe(
      'Service "svc" is type NodePort: port(s) 30080, 81 (node port assigned) are open on every node of the cluster.',
    );
    expect(finding?.location.path).toBe('spec.type');
    expect(finding?.severity).toBe('info');
  });

  it('ignores other kinds and odd specs', () => {
    expect(findingsOf(check, [object('serving.knative.dev/v1', 'Service', 'r', { spec: { type: 'NodePort' } })])).toEqual([]);
    expect(findingsOf(check, [object('v1', 'Service', 's', { spec: 'x' })])).toEqual([]);
  });
});
