import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import type { ControlId } from './control.js';
import {
  detailsText,
  evaluateControl,
  evaluateObject,
  evaluatePod,
  forbiddenMessage,
  parsePolicy,
  reasonsText,
  warningMessage,
  type PssPolicy,
} from './evaluate.js';
import { preparePod } from './pod-view.js';
import { activeControls, NEWEST_MINOR } from './registry.js';
import { parsePolicyVersion } from './policy-version.js';

type Json = Record<string, unknown>;

function policy(level: string, version = 'latest'): PssPolicy {
  const parsed = parsePolicy(level, version);
  if (parsed === undefined) throw new Error(`bad policy ${level}:${version}`);
  return parsed;
}

/** The violations of one control on a pod spec (and metadata), at a level and version. */
function violation(control: ControlId, spec: Json, options: { level?: string; version?: string; metadata?: Json } = {}) {
  const result = evaluatePod(
    { spec, metadata: options.metadata ?? {} },
    policy(options.level ?? 'restricted', options.version ?? 'latest'),
  );
  return result.violations.find((v) => v.control === control);
}

const c = (name: string, securityContext?: Json, rest: Json = {}): Json => ({
  name,
  image: 'registry.k8s.io/pause',
  ...(securityContext === undefined ? {} : { securityContext }),
  ...rest,
});

/** Reasons and details as upstream's policy/check_*_test.go expect them (the strings users see from kubectl). */
const DETAILS: {
  name: string;
  control: ControlId;
  spec: Json;
  metadata?: Json;
  level?: string;
  version?: string;
  reason: string;
  detail: string;
}[] = [
  {
    name: 'privileged, two containers in visiting order (init first)',
    control: 'privileged',
    spec: { containers: [c('a', { privileged: true })], initContainers: [c('b', { privileged: true })] },
    reason: 'privileged',
    detail: 'containers "b", "a" must not set securityContext.privileged=true',
  },
  {
    name: 'privileged on an ephemeral container',
    control: 'privileged',
    spec: { containers: [c('a')], ephemeralContainers: [c('debug', { privileged: true })] },
    reason: 'privileged',
    detail: 'container "debug" must not set securityContext.privileged=true',
  },
  {
    name: 'host namespaces in fixed order',
    control: 'hostNamespaces',
    spec: { hostIPC: true, hostNetwork: true, hostPID: true, containers: [c('a')] },
    reason: 'host namespaces',
    detail: 'hostNetwork=true, hostPID=true, hostIPC=true',
  },
  {
    name: 'hostPath volumes',
    control: 'hostPathVolumes',
    level: 'baseline',
    spec: {
      containers: [c('a')],
      volumes: [
        { name: 'x', hostPath: { path: '/' } },
        { name: 'y', hostPath: { path: '/a' } },
      ],
    },
    reason: 'hostPath volumes',
    detail: 'volumes "x", "y"',
  },
  {
    name: 'host ports sorted as strings, verb by containers, noun by ports',
    control: 'hostPorts',
    spec: {
      initContainers: [c('initcontainer1', undefined, { ports: [{ containerPort: 1, hostPort: 8080 }] })],
      containers: [
        c('container1', undefined, {
          ports: [
            { containerPort: 1, hostPort: 12345 },
            { containerPort: 2, hostPort: 8080 },
          ],
        }),
      ],
    },
    reason: 'hostPort',
    detail: 'containers "initcontainer1", "container1" use hostPorts 12345, 8080',
  },
  {
    name: 'one host port',
    control: 'hostPorts',
    spec: {
      containers: [
        c('c', undefined, {
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 81, hostPort: 0 },
          ],
        }),
      ],
    },
    reason: 'hostPort',
    detail: 'container "c" uses hostPort 8080',
  },
  {
    name: 'probe hosts: containers and hosts are sorted sets',
    control: 'hostProbesAndHostLifecycle',
    spec: {
      containers: [
        c('z', undefined, {
          livenessProbe: { httpGet: { host: 'b.host', port: 80 } },
          lifecycle: { preStop: { tcpSocket: { host: 'a.host', port: 1 } } },
        }),
        c('a', undefined, { readinessProbe: { tcpSocket: { host: 'b.host', port: 80 } } }),
      ],
    },
    reason: 'probe or lifecycle host',
    detail: 'containers "a", "z" use probe or lifecycle hosts "a.host", "b.host"',
  },
  {
    name: 'AppArmor annotation (quoted with Go %q inside a quoted list)',
    control: 'appArmorProfile',
    metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/container1': 'unconfined' } },
    spec: { containers: [c('container1')] },
    reason: 'forbidden AppArmor profile',
    detail: 'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/container1="unconfined""',
  },
  {
    name: 'AppArmor fields and annotations together',
    control: 'appArmorProfile',
    metadata: {
      annotations: {
        'container.apparmor.security.beta.kubernetes.io/b': 'unconfined',
        'container.apparmor.security.beta.kubernetes.io/a': 'x',
      },
    },
    spec: {
      securityContext: { appArmorProfile: { type: 'Unconfined' } },
      containers: [c('c1', { appArmorProfile: { type: 'Unconfined' } }), c('c2', { appArmorProfile: { type: 'RuntimeDefault' } })],
    },
    reason: 'forbidden AppArmor profiles',
    detail:
      'pod and container "c1" and annotations must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="x"", "container.apparmor.security.beta.kubernetes.io/b="unconfined""',
  },
  {
    name: 'SELinux: pod and containers, types sorted, then user and role',
    control: 'seLinuxOptions',
    spec: {
      securityContext: { seLinuxOptions: { type: 'foo', user: 'bar', role: 'baz' } },
      containers: [
        c('a', { seLinuxOptions: { type: 'container_t' } }),
        c('d', { seLinuxOptions: { type: 'bar' } }),
        c('e', { seLinuxOptions: { user: 'bar' } }),
        c('f', { seLinuxOptions: { role: 'baz' } }),
      ],
    },
    reason: 'seLinuxOptions',
    detail:
      'pod and containers "d", "e", "f" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  },
  {
    name: 'SELinux: user only',
    control: 'seLinuxOptions',
    spec: { securityContext: { seLinuxOptions: { user: 'bad' } }, containers: [c('a')] },
    reason: 'seLinuxOptions',
    detail: 'pod set forbidden securityContext.seLinuxOptions: user may not be set',
  },
  {
    name: 'procMount values',
    control: 'procMount',
    level: 'baseline',
    spec: { containers: [c('a', { procMount: 'Unmasked' }), c('b', { procMount: 'other' }), c('c', { procMount: 'Default' })] },
    reason: 'procMount',
    detail: 'containers "a", "b" must not set securityContext.procMount to "Unmasked", "other"',
  },
  {
    name: 'seccomp annotations before v1.19',
    control: 'seccompProfile_baseline',
    level: 'baseline',
    version: 'v1.18',
    metadata: {
      annotations: {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/a': 'localhost/x',
        'container.seccomp.security.alpha.kubernetes.io/b': '',
        'container.seccomp.security.alpha.kubernetes.io/notacontainer': 'unconfined',
      },
    },
    spec: { containers: [c('a'), c('b')] },
    reason: 'seccompProfile',
    detail:
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/b="", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  },
  {
    name: 'seccomp fields at baseline from v1.19',
    control: 'seccompProfile_baseline',
    level: 'baseline',
    spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('a', { seccompProfile: { type: 'Unconfined' } })] },
    reason: 'seccompProfile',
    detail: 'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    name: 'restricted seccomp: explicit pod Unconfined wins over valid containers',
    control: 'seccompProfile_restricted',
    spec: {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [c('a', { seccompProfile: { type: 'RuntimeDefault' } })],
    },
    reason: 'seccompProfile',
    detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    name: 'restricted seccomp: implicit containers',
    control: 'seccompProfile_restricted',
    spec: { containers: [c('a'), c('b', { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), c('c')] },
    reason: 'seccompProfile',
    detail: 'pod or containers "a", "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
  {
    name: 'sysctls in spec order with duplicates, unquoted',
    control: 'sysctls',
    version: 'v1.36',
    spec: {
      securityContext: {
        sysctls: [
          { name: 'othersysctl' },
          { name: 'kernel.shm_rmid_forced' },
          { name: 'othersysctl' },
          { name: 'net.ipv4.tcp_notsent_lowat' },
        ],
      },
      containers: [c('a')],
    },
    reason: 'forbidden sysctls',
    detail: 'othersysctl, othersysctl, net.ipv4.tcp_notsent_lowat',
  },
  {
    name: 'HostProcess on pod and container',
    control: 'windowsHostProcess',
    spec: { securityContext: { windowsOptions: { hostProcess: true } }, containers: [c('a', { windowsOptions: { hostProcess: true } })] },
    reason: 'hostProcess',
    detail: 'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true',
  },
  {
    name: 'baseline capabilities: exact names only',
    control: 'capabilities_baseline',
    level: 'baseline',
    spec: { containers: [c('a', { capabilities: { add: ['NET_RAW', 'CAP_CHOWN', 'chown', 'CHOWN', 'NET_RAW'] } })] },
    reason: 'non-default capabilities',
    detail: 'container "a" must not include "CAP_CHOWN", "NET_RAW", "chown" in securityContext.capabilities.add',
  },
  {
    name: 'restricted capabilities: both parts',
    control: 'capabilities_restricted',
    spec: {
      containers: [
        c('a'),
        c('b', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } }),
        c('d', { capabilities: { drop: ['all'] } }),
      ],
    },
    reason: 'unrestricted capabilities',
    detail:
      'containers "a", "d" must set securityContext.capabilities.drop=["ALL"]; container "b" must not include "CHOWN" in securityContext.capabilities.add',
  },
  {
    name: 'allowPrivilegeEscalation unset or true',
    control: 'allowPrivilegeEscalation',
    spec: { containers: [c('a'), c('b', { allowPrivilegeEscalation: true }), c('c', { allowPrivilegeEscalation: false })] },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'containers "a", "b" must set securityContext.allowPrivilegeEscalation=false',
  },
  {
    name: 'runAsNonRoot: explicit false wins',
    control: 'runAsNonRoot',
    spec: { securityContext: { runAsNonRoot: false }, containers: [c('a', { runAsNonRoot: false }), c('b')] },
    reason: 'runAsNonRoot != true',
    detail: 'pod and container "a" must not set securityContext.runAsNonRoot=false',
  },
  {
    name: 'runAsNonRoot: implicit',
    control: 'runAsNonRoot',
    spec: { containers: [c('a'), c('b', { runAsNonRoot: true })] },
    reason: 'runAsNonRoot != true',
    detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
  },
  {
    name: 'runAsUser=0 without effective-value resolution',
    control: 'runAsUser',
    spec: { securityContext: { runAsUser: 0 }, containers: [c('c', { runAsUser: 0 }), c('d', { runAsUser: 1000 })] },
    reason: 'runAsUser=0',
    detail: 'pod and container "c" must not set runAsUser=0',
  },
  {
    name: 'restricted volume types: first source wins, types sorted',
    control: 'restrictedVolumes',
    spec: {
      containers: [c('a')],
      volumes: [
        { name: 'volume-hostpath', hostPath: { path: '/' } },
        { name: 'n', nfs: { server: 's', path: '/' }, gitRepo: { repository: 'r' } },
        { name: 'ok', secret: { secretName: 's' }, hostPath: { path: '/' } },
      ],
    },
    reason: 'restricted volume types',
    detail: 'volumes "volume-hostpath", "n" use restricted volume types "gitRepo", "hostPath"',
  },
];

describe('reasons and details, exactly as upstream prints them', () => {
  it.each(DETAILS)('$name', (t) => {
    const v = violation(t.control, t.spec, {
      ...(t.level === undefined ? {} : { level: t.level }),
      ...(t.version === undefined ? {} : { version: t.version }),
      ...(t.metadata === undefined ? {} : { metadata: t.metadata }),
    });
    expect(v).toBeDefined();
    expect({ reason: v?.reason, detail: v?.detail }).toEqual({ reason: t.reason, detail: t.detail });
  });

  it('joins violations in upstream order into the enforce error and the warning', () => {
    const spec = {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [c('c', { capabilities: { drop: ['ALL'] } })],
    };
    const result = evaluatePod({ spec }, policy('restricted'));
    expect(forbiddenMessage('x', result)).toBe(
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)',
    );
    expect(forbiddenMessage('', result)).toMatch(/^pods is forbidden: violates PodSecurity "restricted:latest": /);
    expect(warningMessage(result)).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(/);
    expect(reasonsText(result.violations)).toBe('allowPrivilegeEscalation != false, runAsNonRoot != true');
  });

  it('orders baseline reasons before restricted ones, each by id in byte order', () => {
    const spec = {
      hostNetwork: true,
      securityContext: { seLinuxOptions: { type: 'x' }, seccompProfile: { type: 'Unconfined' } },
      containers: [c('a', { privileged: true })],
    };
    const result = evaluatePod({ spec }, policy('restricted'));
    expect(result.violations.map((v) => v.control)).toEqual([
      'hostNamespaces',
      'privileged',
      'seLinuxOptions',
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]);
    expect(detailsText([])).toBe('');
  });
});

describe('versions', () => {
  const ids = (level: string, version: string): string[] => {
    const parsed = parsePolicyVersion(version);
    if (parsed === undefined || (level !== 'baseline' && level !== 'restricted')) throw new Error('bad');
    return activeControls(level, Math.min(parsed.minor, NEWEST_MINOR)).map((a) => a.control.id);
  };

  it('knows v1.37 as the newest version, and caps latest and newer versions to it', () => {
    expect(NEWEST_MINOR).toBe(37);
    const result = evaluatePod({ spec: { containers: [c('a')] } }, policy('baseline', 'v1.99'));
    expect(result.evaluatedVersion).toBe('v1.37');
    expect(result.policy.version.text).toBe('v1.99');
    expect(evaluatePod({ spec: {} }, policy('baseline'), { maxMinor: 30 }).evaluatedVersion).toBe('v1.30');
  });

  it('activates each control from the version that introduced it, with overrides only at restricted', () => {
    expect(ids('restricted', 'v1.0')).toEqual([
      'appArmorProfile',
      'capabilities_baseline',
      'hostNamespaces',
      'hostPorts',
      'privileged',
      'procMount',
      'seLinuxOptions',
      'seccompProfile_baseline',
      'sysctls',
      'windowsHostProcess',
      'restrictedVolumes',
      'runAsNonRoot',
    ]);
    expect(ids('restricted', 'v1.8')).toContain('allowPrivilegeEscalation');
    expect(ids('restricted', 'v1.18')).toContain('seccompProfile_baseline');
    expect(ids('restricted', 'v1.19')).not.toContain('seccompProfile_baseline');
    expect(ids('restricted', 'v1.19')).toContain('seccompProfile_restricted');
    expect(ids('restricted', 'v1.21')).toContain('capabilities_baseline');
    expect(ids('restricted', 'v1.22')).not.toContain('capabilities_baseline');
    expect(ids('restricted', 'v1.22')).not.toContain('runAsUser');
    expect(ids('restricted', 'v1.23')).toContain('runAsUser');
    expect(ids('baseline', 'v1.33')).not.toContain('hostProbesAndHostLifecycle');
    expect(ids('baseline', 'v1.34')).toContain('hostProbesAndHostLifecycle');
    expect(ids('restricted', 'v1.34')).toContain('procMount');
    expect(ids('restricted', 'v1.35')).not.toContain('procMount');
    expect(ids('restricted', 'v1.35')).toContain('procMount_restricted');
    expect(ids('baseline', 'latest')).toContain('hostPathVolumes');
    expect(ids('baseline', 'latest')).not.toContain('restrictedVolumes');
  });

  it('rejects versions the admission controller rejects', () => {
    for (const bad of ['1.25', 'v1', 'v2.0', 'v1.25.0', 'v1.025', 'V1.25', 'Latest', '']) expect(parsePolicyVersion(bad)).toBeUndefined();
    expect(parsePolicyVersion('v1.0')?.minor).toBe(0);
    expect(parsePolicy('Restricted')).toBeUndefined();
  });

  it('exempts Windows pods from three restricted controls from v1.25 only', () => {
    const spec = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [c('a')] };
    expect(evaluatePod({ spec }, policy('restricted', 'v1.25')).allowed).toBe(true);
    expect(evaluatePod({ spec }, policy('restricted', 'v1.24')).violations.map((v) => v.control)).toEqual([
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
  });

  it('relaxes user-namespace pods (hostUsers: false) from v1.35 only, never procMount at restricted', () => {
    const spec = { hostUsers: false, containers: [c('a', { procMount: 'Unmasked', runAsUser: 0 })] };
    expect(violation('procMount', spec, { level: 'baseline', version: 'v1.34' })).toBeDefined();
    expect(violation('procMount', spec, { level: 'baseline', version: 'v1.35' })).toBeUndefined();
    expect(violation('procMount_restricted', spec, { version: 'v1.35' })?.detail).toBe(
      'container "a" must not set securityContext.procMount to "Unmasked"',
    );
    expect(violation('runAsUser', spec, { version: 'v1.34' })).toBeDefined();
    expect(violation('runAsUser', spec, { version: 'v1.35' })).toBeUndefined();
    expect(violation('runAsNonRoot', spec, { version: 'v1.35' })).toBeUndefined();
  });

  it('grows the SELinux and sysctl allow-lists by version', () => {
    const selinux = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } }, containers: [c('a')] };
    expect(violation('seLinuxOptions', selinux, { version: 'v1.30' })).toBeDefined();
    expect(violation('seLinuxOptions', selinux, { version: 'v1.31' })).toBeUndefined();
    const sysctl = (name: string) => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [c('a')] });
    const cases: [string, string][] = [
      ['net.ipv4.ip_local_reserved_ports', 'v1.27'],
      ['net.ipv4.tcp_keepalive_time', 'v1.29'],
      ['net.ipv4.tcp_rmem', 'v1.32'],
      ['net.ipv4.tcp_slow_start_after_idle', 'v1.37'],
    ];
    for (const [name, from] of cases) {
      const minor = Number(from.slice(3));
      expect(violation('sysctls', sysctl(name), { version: `v1.${minor - 1}` })).toBeDefined();
      expect(violation('sysctls', sysctl(name), { version: from })).toBeUndefined();
    }
  });

  it('evaluates a single control at a version, or says it does not exist there', () => {
    const pod = preparePod({ spec: { containers: [c('a', { runAsUser: 0 })] } });
    expect(evaluateControl(pod, 'runAsUser', parsePolicyVersion('v1.22')).status).toBe('absent');
    expect(evaluateControl(pod, 'runAsUser').status).toBe('forbidden');
    expect(evaluateControl(pod, 'privileged').status).toBe('allowed');
  });
});

describe('fields at fault', () => {
  const deployment = (spec: Json, templateMetadata: Json = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { metadata: templateMetadata, spec } },
  });

  it('points into the original workload object', () => {
    const object = deployment(
      { containers: [c('a'), c('b', { privileged: true })], volumes: [{ name: 'v', nfs: { server: 's', path: '/' } }] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/a/x': 'unconfined' } },
    );
    const result = evaluateObject(object, policy('restricted'));
    const fields = Object.fromEntries(result?.violations.map((v) => [v.control, v.fields.map((f) => f.pointer)]) ?? []);
    expect(fields['privileged']).toEqual(['/spec/template/spec/containers/1/securityContext/privileged']);
    expect(fields['restrictedVolumes']).toEqual(['/spec/template/spec/volumes/0/nfs']);
    expect(fields['appArmorProfile']).toEqual(['/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a~1x']);
    // No container sets runAsNonRoot: the one fix is the pod-level field.
    expect(fields['runAsNonRoot']).toEqual(['/spec/template/spec/securityContext/runAsNonRoot']);
  });

  it('names each container that lacks a value when some containers set it', () => {
    const result = evaluateObject(deployment({ containers: [c('a', { runAsNonRoot: true }), c('b')] }), policy('restricted'));
    const v = result?.violations.find((x) => x.control === 'runAsNonRoot');
    expect(v?.fields).toEqual([
      {
        pointer: '/spec/template/spec/containers/1/securityContext/runAsNonRoot',
        container: 'b',
        problem: 'pod or container "b" must set securityContext.runAsNonRoot=true',
        missing: true,
      },
    ]);
  });

  it('returns undefined for objects without a pod template', () => {
    expect(evaluateObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, policy('restricted'))).toBeUndefined();
  });
});

describe('untrusted input', () => {
  const garbage: unknown[] = [null, 1, 'x', [], true, { containers: 'x' }, { containers: [null, 1, 'x', { securityContext: 'x' }] }];

  it('never throws, whatever the spec holds', () => {
    for (const spec of garbage) {
      for (const level of ['baseline', 'restricted']) {
        expect(() => evaluatePod({ spec, metadata: spec }, policy(level))).not.toThrow();
      }
    }
    const odd = {
      securityContext: { sysctls: [null, { name: 5 }], seLinuxOptions: { type: 5 } },
      volumes: [null, { name: 'v', hostPath: null }],
      containers: [
        { name: 7, ports: [null, { hostPort: '80' }], capabilities: 'x', securityContext: { capabilities: { add: [1, null] } } },
      ],
    };
    expect(() => evaluatePod({ spec: odd }, policy('restricted'))).not.toThrow();
  });

  it('applies the API defaulting that changes a verdict: a volume with no source is an emptyDir', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [c('a', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })],
      volumes: [{ name: 'scratch' }, { name: 'nulls', hostPath: null }],
    };
    expect(evaluatePod({ spec }, policy('restricted')).allowed).toBe(true);
    const raw = evaluatePod({ spec }, policy('restricted'), { defaulting: false });
    expect(detailsText(raw.violations)).toBe('restricted volume types (volumes "scratch", "nulls" use restricted volume type "unknown")');
  });
});
