import { describe, expect, it } from 'vitest';

import { DetectionEngine } from '../engine.js';
import { loadText, auditEvent } from './test-support.js';

/** Each field rendered through an output template (`%field`), one per line, for `raw`. */
function render(fields: readonly string[], raw: Record<string, unknown>, condition = 'jevt.rawtime exists'): Record<string, string> {
  const output = fields.map((f) => `%${f}`).join('\\n');
  const loaded = loadText(
    `- rule: F\n  desc: f\n  condition: ${JSON.stringify(condition)}\n  output: "${output}"\n  priority: INFO\n  source: k8s_audit\n`,
  );
  expect(loaded.problems.filter((p) => p.level === 'error')).toEqual([]);
  const alerts = new DetectionEngine(loaded.rules).process(auditEvent(raw));
  if (alerts.length === 0) return {};
  const lines = (alerts[0]?.output ?? '').split('\n');
  return Object.fromEntries(fields.map((f, i) => [f, lines[i] ?? '']));
}

const event = (extra: Record<string, unknown>): Record<string, unknown> => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: 'x1',
  stage: 'ResponseComplete',
  verb: 'create',
  user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
  sourceIPs: ['203.0.113.9', '10.0.0.1'],
  userAgent: 'kubectl/v1.30.0',
  responseStatus: { code: 201 },
  requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
  stageTimestamp: '2024-05-01T10:00:00.100000Z',
  ...extra,
});

describe('k8saudit fields', () => {
  it('ka.*: request, user, target, response, authorization', () => {
    const exec = event({
      stage: 'ResponseStarted',
      requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&command=-c&container=web',
      impersonatedUser: { username: 'bob' },
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
      responseStatus: { code: 403, reason: 'Forbidden' },
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'no RBAC' },
    });
    expect(
      render(
        [
          'ka.auditid',
          'ka.stage',
          'ka.verb',
          'ka.user.name',
          'ka.user.groups',
          'ka.impuser.name',
          'ka.uri',
          'ka.uri.param[command]',
          'ka.uri.param[container]',
          'ka.target.resource',
          'ka.target.subresource',
          'ka.target.name',
          'ka.target.namespace',
          'ka.response.code',
          'ka.response.reason',
          'ka.auth.decision',
          'ka.auth.reason',
          'ka.sourceips',
          'ka.useragent',
          'jevt.rawtime',
          'jevt.value[/objectRef/name]',
        ],
        exec,
      ),
    ).toEqual({
      'ka.auditid': 'x1',
      'ka.stage': 'ResponseStarted',
      'ka.verb': 'create',
      'ka.user.name': 'alice',
      'ka.user.groups': '(dev,system:authenticated)',
      'ka.impuser.name': 'bob',
      'ka.uri': '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&command=-c&container=web',
      // The first value of a repeated query parameter, as the plugin's url.Values.Get does.
      'ka.uri.param[command]': 'sh',
      'ka.uri.param[container]': 'web',
      'ka.target.resource': 'pods',
      'ka.target.subresource': 'exec',
      'ka.target.name': 'web-0',
      'ka.target.namespace': 'shop',
      'ka.response.code': '403',
      'ka.response.reason': 'Forbidden',
      'ka.auth.decision': 'forbid',
      'ka.auth.reason': 'no RBAC',
      'ka.sourceips': '(203.0.113.9,10.0.0.1)',
      'ka.useragent': 'kubectl/v1.30.0',
      // stageTimestamp in nanoseconds since the epoch.
      'jevt.rawtime': '1714557600100000000',
      'jevt.value[/objectRef/name]': 'web-0',
    });
  });

  it('ka.req.role.* and ka.req.binding.*', () => {
    const role = event({
      objectRef: { resource: 'clusterroles', name: 'r', apiGroup: 'rbac.authorization.k8s.io' },
      requestObject: {
        kind: 'ClusterRole',
        rules: [
          { apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] },
          { apiGroups: ['apps'], resources: ['*'], verbs: ['*'] },
        ],
      },
    });
    expect(render(['ka.req.role.rules.verbs', 'ka.req.role.rules.resources', 'ka.req.role.rules.apiGroups'], role)).toEqual({
      'ka.req.role.rules.verbs': '(get,create,*)',
      'ka.req.role.rules.resources': '(pods,pods/exec,*)',
      'ka.req.role.rules.apiGroups': '(,apps)',
    });
    const binding = event({
      objectRef: { resource: 'clusterrolebindings', name: 'b', apiGroup: 'rbac.authorization.k8s.io' },
      requestObject: {
        kind: 'ClusterRoleBinding',
        roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [
          { kind: 'User', name: 'eve' },
          { kind: 'ServiceAccount', name: 'sa', namespace: 'shop' },
          { kind: 'Group', name: 'ops' },
        ],
      },
    });
    expect(
      render(
        [
          'ka.req.binding.role',
          'ka.req.binding.subjects.user_names',
          'ka.req.binding.subjects.serviceaccount_names',
          'ka.req.binding.subjects.serviceaccount_ns_names',
          'ka.req.binding.subjects.group_names',
        ],
        binding,
      ),
    ).toEqual({
      'ka.req.binding.role': 'cluster-admin',
      'ka.req.binding.subjects.user_names': '(eve)',
      'ka.req.binding.subjects.serviceaccount_names': '(sa)',
      'ka.req.binding.subjects.serviceaccount_ns_names': '(shop:sa)',
      'ka.req.binding.subjects.group_names': '(ops)',
    });
  });

  it('ka.req.pod.*: containers of each kind, image repositories, host namespaces, hostPath volumes', () => {
    const pod = event({
      objectRef: { resource: 'pods', namespace: 'shop', name: 'p', apiVersion: 'v1' },
      requestObject: {
        kind: 'Pod',
        spec: {
          hostPID: true,
          hostNetwork: true,
          containers: [
            { name: 'a', image: 'docker.io/library/nginx:1.25', securityContext: { privileged: true } },
            { name: 'b', image: 'registry:5000/team/app@sha256:abc' },
          ],
          initContainers: [{ name: 'i', image: 'busybox' }],
          ephemeralContainers: [{ name: 'dbg', image: 'busybox:1' }],
          volumes: [{ name: 'h', hostPath: { path: '/var/run/docker.sock' } }],
        },
      },
    });
    expect(
      render(
        [
          'ka.req.pod.containers.image',
          'ka.req.pod.containers.image.repository',
          'ka.req.pod.containers.privileged',
          'ka.req.pod.initContainers.image',
          'ka.req.pod.ephemeralContainers.image',
          'ka.req.pod.host_pid',
          'ka.req.pod.host_network',
          'ka.req.pod.host_ipc',
          'ka.req.pod.volumes.hostpath',
        ],
        pod,
      ),
    ).toEqual({
      'ka.req.pod.containers.image': '(docker.io/library/nginx:1.25,registry:5000/team/app@sha256:abc)',
      // The plugin cuts each image at its first ':' (so a registry port cuts there too).
      'ka.req.pod.containers.image.repository': '(docker.io/library/nginx,registry)',
      // Only the containers that set securityContext.privileged have a value.
      'ka.req.pod.containers.privileged': '(true)',
      'ka.req.pod.initContainers.image': '(busybox)',
      'ka.req.pod.ephemeralContainers.image': '(busybox:1)',
      'ka.req.pod.host_pid': 'true',
      'ka.req.pod.host_network': 'true',
      'ka.req.pod.host_ipc': '<NA>',
      'ka.req.pod.volumes.hostpath': '(/var/run/docker.sock)',
    });
  });

  it('ka.req.service.* and ka.req.configmap.* (ConfigMap values are masked in outputs, seen by conditions)', () => {
    const service = event({
      objectRef: { resource: 'services', namespace: 'shop', name: 's', apiVersion: 'v1' },
      requestObject: { kind: 'Service', spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
    });
    expect(render(['ka.req.service.type'], service)).toEqual({ 'ka.req.service.type': 'NodePort' });
    expect(render(['ka.req.service.ports'], service)['ka.req.service.ports']).toContain('"nodePort":30080');
    const configmap = event({
      objectRef: { resource: 'configmaps', namespace: 'shop', name: 'c', apiVersion: 'v1' },
      requestObject: { kind: 'ConfigMap', metadata: { name: 'c' }, data: { aws_access_key_id: 'AKIAEXAMPLE' } },
    });
    const shown = render(['ka.req.configmap.name', 'ka.req.configmap.obj'], configmap, 'ka.req.configmap.obj contains AKIAEXAMPLE');
    expect(shown).toEqual({ 'ka.req.configmap.name': 'c', 'ka.req.configmap.obj': '{"aws_access_key_id":"<redacted>"}' });
  });
});
