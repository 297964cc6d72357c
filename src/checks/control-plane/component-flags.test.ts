import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import { boolFlag, flagOf, invocationOf, listFlag, parseFlags } from './component-flags.js';
import { staticPod } from './test-support/static-pods.js';

const ref = (object: KubeObject) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  namespace: object.metadata.namespace ?? 'default',
  name: object.metadata.name,
});
const tokens = (...args: string[]) => args.map((text, i) => ({ text, pointer: `/a/${i}` }));

describe('control-plane flags', () => {
  it('parses --flag=value, --flag value and bare booleans as pflag does', () => {
    expect(parseFlags(tokens('--a=1', '--b', '2', '--profiling', 'extra', '--c'))).toEqual([
      { name: 'a', value: '1', pointer: '/a/0' },
      { name: 'b', value: '2', pointer: '/a/1' },
      { name: 'profiling', value: 'true', pointer: '/a/3' },
      { name: 'c', value: undefined, pointer: '/a/5' },
    ]);
  });

  it('lets the last scalar flag win and accumulates list flags', () => {
    const pod = staticPod('kube-apiserver', [
      '--secure-port=0',
      '--secure-port=6443',
      '--enable-admission-plugins=A,B',
      '--enable-admission-plugins=C',
    ]);
    const invocation = invocationOf(pod, ref(pod));
    expect(invocation && flagOf(invocation, 'secure-port')?.value).toBe('6443');
    expect(invocation && listFlag(invocation, 'enable-admission-plugins')).toEqual({
      items: ['A', 'B', 'C'],
      pointer: '/spec/containers/0/command/4',
    });
  });

  it('reads booleans with their defaults and strconv spellings', () => {
    const pod = staticPod('kube-apiserver', ['--profiling=False', '--anonymous-auth=maybe']);
    const invocation = invocationOf(pod, ref(pod));
    if (invocation === undefined) throw new Error('not recognised');
    expect(boolFlag(invocation, 'profiling', true)).toBe(false);
    expect(boolFlag(invocation, 'anonymous-auth', true)).toBeUndefined();
    expect(boolFlag(invocation, 'service-account-lookup', true)).toBe(true);
  });

  it('recognises components by their command, through hyperkube, from args, and by label', () => {
    const viaArgs = staticPod('kube-scheduler', ['--profiling=false'], { useArgs: true });
    expect(invocationOf(viaArgs, ref(viaArgs))).toMatchObject({ component: 'kube-scheduler', missingPointer: '/spec/containers/0/args' });
    const hyperkube: KubeObject = {
      ...staticPod('kube-apiserver', []),
      spec: { containers: [{ name: 'x', command: ['/hyperkube', 'kube-apiserver', '--profiling=false'] }] },
    };
    expect(invocationOf(hyperkube, ref(hyperkube))?.flags).toEqual([
      { name: 'profiling', value: 'false', pointer: '/spec/containers/0/command/2' },
    ]);
    const byLabel: KubeObject = { ...staticPod('etcd', []), spec: { containers: [{ name: 'etcd', args: ['--client-cert-auth=true'] }] } };
    expect(invocationOf(byLabel, ref(byLabel))?.component).toBe('etcd');
  });

  it('reads etcd flags from ETCD_ environment variables, letting the command line win', () => {
    const pod: KubeObject = {
      ...staticPod('etcd', ['--client-cert-auth=true']),
      spec: {
        containers: [
          {
            name: 'etcd',
            command: ['etcd', '--client-cert-auth=true'],
            env: [
              { name: 'ETCD_CLIENT_CERT_AUTH', value: 'false' },
              { name: 'ETCD_AUTO_TLS', value: 'true' },
            ],
          },
        ],
      },
    };
    const invocation = invocationOf(pod, ref(pod));
    if (invocation === undefined) throw new Error('not recognised');
    expect(boolFlag(invocation, 'client-cert-auth', false)).toBe(true);
    expect(flagOf(invocation, 'auto-tls')?.pointer).toBe('/spec/containers/0/env/1/value');
  });

  it('ignores pods outside kube-system and containers that run something else', () => {
    const elsewhere = { ...staticPod('kube-apiserver', []), metadata: { name: 'x', namespace: 'default' } };
    expect(invocationOf(elsewhere, ref(elsewhere))).toBeUndefined();
    const shell: KubeObject = {
      ...staticPod('kube-apiserver', []),
      spec: { containers: [{ name: 'x', command: ['sh', '-c', 'kube-apiserver --x'] }] },
    };
    expect(invocationOf(shell, ref(shell))).toBeUndefined();
  });

  it('reads ControlPlaneFlags objects made from flags files', () => {
    const object: KubeObject = {
      apiVersion: 'vigil.dev/v1alpha1',
      kind: 'ControlPlaneFlags',
      metadata: { name: 'etcd' },
      component: 'etcd',
      args: ['--auto-tls=true'],
    };
    expect(invocationOf(object, ref(object))).toEqual({
      component: 'etcd',
      containerPointer: '',
      flags: [{ name: 'auto-tls', value: 'true', pointer: '/args/0' }],
      missingPointer: '/args',
    });
    expect(invocationOf({ ...object, component: 'kubelet' }, ref(object))).toBeUndefined();
  });
});
