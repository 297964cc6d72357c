// The synthetic audit log the detection benchmarks share: the mix of a busy cluster's audit log
// (lease renewals and node heartbeats, controllers' reads, discovery, people's reads, a few writes
// with bodies, exec, denied secret reads), deterministic so every run measures the same lines.

// A deterministic pseudo-random generator, so every run measures the same log.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = (list) => list[Math.floor(rand() * list.length)];

const nodes = Array.from({ length: 20 }, (_, i) => `worker-${i}`);
const namespaces = ['shop', 'payments', 'data', 'monitoring', 'ingress', 'default', 'kube-system'];
const humans = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
const controllers = ['system:kube-controller-manager', 'system:kube-scheduler', 'system:serviceaccount:kube-system:replicaset-controller'];
const apps = namespaces.map((ns) => `system:serviceaccount:${ns}:app`);

let t = Date.parse('2024-05-01T00:00:00Z');
let n = 0;
function event(fields) {
  t += 5; // 200 events/s of cluster time
  const ts = new Date(t).toISOString().replace('Z', '123Z');
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `0f9c2a6e-${(n++).toString(16).padStart(8, '0')}-4e1b-9c1d-3f8a2b7c6d5e`,
    stage: 'ResponseComplete',
    requestURI: '/',
    verb: 'get',
    user: { username: 'system:anonymous', groups: [] },
    sourceIPs: ['10.0.0.10'],
    userAgent: 'kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/leader-election',
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: {
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason':
        'RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager"',
    },
    ...fields,
  };
}

const pod = (name, privileged) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name.split('-')[0] } },
  spec: {
    serviceAccountName: 'app',
    containers: [
      {
        name: 'main',
        image: 'registry.example.com/app:1.2.3',
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        securityContext: privileged ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false },
      },
    ],
    volumes: [{ name: 'config', configMap: { name: 'app' } }],
  },
});

// The mix of a busy cluster's audit log: lease renewals and node heartbeats dominate, then
// controllers' reads and watches, discovery, people's reads; writes with bodies are a few percent.
function nextEvent() {
  const r = rand();
  if (r < 0.25) {
    const node = pick(nodes);
    return event({
      verb: 'update',
      user: { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] },
      requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}?timeout=10s`,
      objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: node, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
    });
  }
  if (r < 0.35) {
    const node = pick(nodes);
    return event({
      verb: 'patch',
      user: { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] },
      requestURI: `/api/v1/nodes/${node}/status?timeout=10s`,
      objectRef: { resource: 'nodes', name: node, apiVersion: 'v1', subresource: 'status' },
    });
  }
  if (r < 0.55) {
    const ns = pick(namespaces);
    const resource = pick(['pods', 'configmaps', 'endpoints', 'services', 'secrets']);
    return event({
      verb: pick(['get', 'list', 'watch']),
      user: { username: pick(controllers), groups: ['system:authenticated'] },
      requestURI: `/api/v1/namespaces/${ns}/${resource}`,
      objectRef: { resource, namespace: ns, apiVersion: 'v1' },
    });
  }
  if (r < 0.65)
    return event({
      verb: 'get',
      user: { username: pick(apps), groups: ['system:serviceaccounts', 'system:authenticated'] },
      requestURI: pick(['/api', '/apis', '/healthz', '/readyz', '/version']),
      userAgent: 'app/v1 client-go/v0.30.0',
    });
  if (r < 0.75) {
    const ns = pick(namespaces);
    return event({
      verb: 'list',
      user: { username: pick(humans), groups: ['developers', 'system:authenticated'] },
      sourceIPs: ['203.0.113.7'],
      userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b',
      requestURI: `/api/v1/namespaces/${ns}/pods?limit=500`,
      objectRef: { resource: 'pods', namespace: ns, apiVersion: 'v1' },
    });
  }
  if (r < 0.8) {
    const ns = pick(namespaces);
    const name = `app-${Math.floor(rand() * 1e6)}`;
    const body = pod(name, rand() < 0.01);
    return event({
      level: 'RequestResponse',
      verb: 'create',
      user: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
      requestURI: `/api/v1/namespaces/${ns}/pods`,
      objectRef: { resource: 'pods', namespace: ns, name, apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: body,
      responseObject: body,
    });
  }
  if (r < 0.85) {
    const ns = pick(namespaces);
    return event({
      verb: 'get',
      user: { username: pick([...apps, ...humans]), groups: ['system:authenticated'] },
      requestURI: `/api/v1/namespaces/${ns}/secrets/app-credentials`,
      objectRef: { resource: 'secrets', namespace: ns, name: 'app-credentials', apiVersion: 'v1' },
    });
  }
  if (r < 0.87) {
    const ns = pick(namespaces);
    return event({
      verb: 'create',
      stage: 'ResponseStarted',
      user: { username: pick(humans), groups: ['developers', 'system:authenticated'] },
      sourceIPs: ['203.0.113.7'],
      requestURI: `/api/v1/namespaces/${ns}/pods/web-0/exec?command=sh&container=main&stdin=true&tty=true`,
      objectRef: { resource: 'pods', namespace: ns, name: 'web-0', subresource: 'exec', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
    });
  }
  if (r < 0.9) {
    const ns = pick(namespaces);
    return event({
      verb: 'get',
      user: { username: pick(apps), groups: ['system:serviceaccounts'] },
      sourceIPs: [`198.51.100.${Math.floor(rand() * 255)}`],
      requestURI: `/api/v1/namespaces/${ns}/secrets/other`,
      objectRef: { resource: 'secrets', namespace: ns, name: 'other', apiVersion: 'v1' },
      responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, message: 'secrets "other" is forbidden' },
    });
  }
  if (r < 0.95) {
    const ns = pick(namespaces);
    return event({
      stage: 'RequestReceived',
      verb: 'create',
      user: { username: pick(controllers), groups: ['system:authenticated'] },
      requestURI: `/api/v1/namespaces/${ns}/events`,
      objectRef: { resource: 'events', namespace: ns, apiVersion: 'v1' },
      responseStatus: undefined,
    });
  }
  const ns = pick(namespaces);
  return event({
    verb: 'update',
    user: { username: pick(controllers), groups: ['system:authenticated'] },
    requestURI: `/apis/apps/v1/namespaces/${ns}/deployments/web/status`,
    objectRef: { resource: 'deployments', namespace: ns, name: 'web', apiGroup: 'apps', apiVersion: 'v1', subresource: 'status' },
  });
}

/** `count` audit events as JSON lines (the same lines for the same count, in every run). */
export function auditMixLines(count) {
  seed = 42;
  t = Date.parse('2024-05-01T00:00:00Z');
  n = 0;
  return Array.from({ length: count }, () => JSON.stringify(nextEvent()));
}
