import { describe, expect, it } from 'vitest';

import { compilePolicy } from './policy.js';
import { policy } from './test-support/builders.js';

function compile(spec: Record<string, unknown>) {
  return compilePolicy(policy('shop/p', spec), 'shop');
}

describe('compilePolicy: effective policyTypes (R2)', () => {
  it.each([
    ['no policyTypes, no rules', {}, true, false],
    ['no policyTypes, ingress rules', { ingress: [{}] }, true, false],
    ['no policyTypes, egress rules', { egress: [{}] }, true, true],
    // SEMANTICS §6: `egress: []` without policyTypes must stay ingress-only.
    ['no policyTypes, egress: []', { egress: [] }, true, false],
    ['policyTypes: [] counts as absent', { policyTypes: [], egress: [{}] }, true, true],
    ['Egress only', { policyTypes: ['Egress'] }, false, true],
    ['both written', { policyTypes: ['Ingress', 'Egress'] }, true, true],
  ])('%s', (_name, rest, ingress, egress) => {
    const compiled = compile({ podSelector: {}, ...rest });
    expect([compiled.affectsIngress, compiled.affectsEgress]).toEqual([ingress, egress]);
    expect(compiled.valid).toBe(true);
  });

  it('warns that rules of a direction missing from policyTypes are ignored', () => {
    const compiled = compile({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] });
    expect(compiled.ingress).toEqual([]);
    expect(compiled.problems.map((p) => [p.level, p.pointer])).toEqual([['warning', '/spec/ingress']]);
  });
});

describe('compilePolicy: rules', () => {
  it('reads missing and empty from/ports as "everything", and a null rule as {}', () => {
    const compiled = compile({ podSelector: {}, ingress: [{ from: [] }, {}, null, { ports: [] }] });
    expect(compiled.ingress.map((r) => [r.peers, r.staticPorts.isAll])).toEqual([
      [undefined, true],
      [undefined, true],
      [undefined, true],
      [undefined, true],
    ]);
  });

  it('defaults the protocol to TCP and reads endPort as an inclusive range', () => {
    const compiled = compile({
      podSelector: {},
      ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 8000, endPort: 8010 }, { protocol: 'SCTP' }] }],
    });
    const ports = compiled.ingress[0]?.staticPorts;
    expect(ports?.toJSON()).toEqual({ TCP: [80], UDP: [[8000, 8010]], SCTP: [[1, 65535]] });
  });

  it('keeps named ports for resolution on the destination', () => {
    const compiled = compile({ podSelector: {}, ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }] });
    expect(compiled.ingress[0]?.namedPorts).toEqual([
      { name: 'http', protocol: 'TCP' },
      { name: 'dns', protocol: 'UDP' },
    ]);
    expect(compiled.ingress[0]?.staticPorts.isEmpty).toBe(true);
  });

  it('gives equal peers equal keys across policies, and scopes podSelector-only peers to the policy namespace', () => {
    const a = compilePolicy(
      policy('a/p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { x: '1', y: '2' } } }] }] }),
      'a',
    );
    const b = compilePolicy(
      policy('a/q', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { y: '2', x: '1' } } }] }] }),
      'a',
    );
    const c = compilePolicy(
      policy('c/q', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { y: '2', x: '1' } } }] }] }),
      'c',
    );
    const key = (p: typeof a): string | undefined => p.ingress[0]?.peers?.[0]?.key;
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
  });
});

describe('compilePolicy: what the API server rejects (SEMANTICS §4)', () => {
  it.each([
    ['an empty peer', { ingress: [{ from: [{}] }] }, '/spec/ingress/0/from/0'],
    ['ipBlock with a selector', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, '/spec/ingress/0/from/0'],
    ['an invalid CIDR', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, '/spec/egress/0/to/0/ipBlock/cidr'],
    [
      'an except outside the cidr',
      { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }] },
      '/spec/egress/0/to/0/ipBlock/except/0',
    ],
    [
      'an except equal to the cidr',
      { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] },
      '/spec/egress/0/to/0/ipBlock/except/0',
    ],
    ['an invalid label value', { podSelector: { matchLabels: { app: 'no spaces' } } }, '/spec/podSelector'],
    [
      'an invalid label key',
      { ingress: [{ from: [{ podSelector: { matchLabels: { '-bad': 'x' } } }] }] },
      '/spec/ingress/0/from/0/podSelector',
    ],
    ['an unknown operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } }, '/spec/podSelector'],
    ['endPort with a named port', { ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, '/spec/ingress/0/ports/0/endPort'],
    ['endPort below port', { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, '/spec/ingress/0/ports/0/endPort'],
    ['endPort without port', { ingress: [{ ports: [{ endPort: 80 }] }] }, '/spec/ingress/0/ports/0/endPort'],
    ['a port out of range', { ingress: [{ ports: [{ port: 70000 }] }] }, '/spec/ingress/0/ports/0/port'],
    ['a quoted number', { ingress: [{ ports: [{ port: '80' }] }] }, '/spec/ingress/0/ports/0/port'],
    ['a port name over 15 characters', { ingress: [{ ports: [{ port: 'a-very-long-port-name' }] }] }, '/spec/ingress/0/ports/0/port'],
    ['a lower-case protocol', { ingress: [{ ports: [{ protocol: 'tcp', port: 80 }] }] }, '/spec/ingress/0/ports/0/protocol'],
    ['an unknown policy type', { policyTypes: ['Ingres'] }, '/spec/policyTypes/0'],
  ])('rejects %s', (_name, spec, pointer) => {
    const compiled = compile({ podSelector: {}, ...spec });
    expect(compiled.valid).toBe(false);
    expect(compiled.problems.filter((p) => p.level === 'error').map((p) => p.pointer)).toContain(pointer);
  });

  it('accepts a non-canonical CIDR with a warning, read as its network', () => {
    const compiled = compile({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '192.168.242.213/24' } }] }] });
    expect(compiled.valid).toBe(true);
    expect(compiled.problems).toMatchObject([{ level: 'warning', message: expect.stringContaining('192.168.242.0/24') as unknown }]);
  });
});
