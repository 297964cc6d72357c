// A deterministic synthetic cluster for NetworkPolicy benchmarks and tests: namespaces of teams,
// apps with replicas (Pod objects with IPs and named ports), and a mix of the policies real clusters
// hold (default deny, DNS egress, per-app allow lists by pod, namespace and IP block, named ports,
// port ranges, matchExpressions). The same options always give the same objects.

/** mulberry32: a small seeded PRNG, so runs are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TIERS = ['frontend', 'backend', 'db'];
const PORTS = {
  frontend: [
    { name: 'http', containerPort: 8080 },
    { name: 'metrics', containerPort: 9090 },
  ],
  backend: [
    { name: 'grpc', containerPort: 50051 },
    { name: 'metrics', containerPort: 9090 },
  ],
  db: [{ name: 'db', containerPort: 5432 }],
};

/**
 * @param {{ namespaces?: number, appsPerNamespace?: number, replicas?: number, policies?: number, seed?: number }} [options]
 * @returns {{ objects: object[], policies: object[], apps: { namespace: string, app: string, tier: string }[] }}
 */
export function generateCluster(options = {}) {
  const namespaces = options.namespaces ?? 50;
  const appsPerNamespace = options.appsPerNamespace ?? 25;
  const replicas = options.replicas ?? 4;
  const policyCount = options.policies ?? 1000;
  const random = rng(options.seed ?? 42);
  const objects = [];
  const apps = [];
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  for (let r = 0; r < 2; r++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `coredns-${r}`, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        containers: [
          {
            name: 'coredns',
            image: 'registry.k8s.io/coredns/coredns:v1.11.1',
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53 },
            ],
          },
        ],
      },
      status: { phase: 'Running', podIP: `10.0.0.${10 + r}` },
    });
  }
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${String(n).padStart(2, '0')}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { team: `t${n % 10}`, env: n % 3 === 0 ? 'prod' : n % 3 === 1 ? 'staging' : 'dev' } },
    });
    for (let a = 0; a < appsPerNamespace; a++) {
      const tier = TIERS[a % 3];
      const app = `app-${a}`;
      apps.push({ namespace: ns, app, tier });
      for (let r = 0; r < replicas; r++) {
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-${r}`,
            namespace: ns,
            labels: {
              app,
              tier,
              version: r % 2 === 0 ? 'v1' : 'v2',
              'pod-template-hash': `h${a}`,
              // Unique per pod, never used by a policy: equivalence classes must see through it.
              'statefulset.kubernetes.io/pod-name': `${app}-${r}`,
            },
          },
          spec: { containers: [{ name: app, image: `registry.example/${app}:1.0`, ports: PORTS[tier] }] },
          status: { phase: 'Running', podIP: `10.${n + 1}.${a}.${r + 1}` },
        });
      }
    }
  }
  const policies = [];
  const nsName = (n) => `team-${String(n).padStart(2, '0')}`;
  let i = 0;
  while (policies.length < policyCount) {
    const n = i % namespaces;
    const round = Math.floor(i / namespaces);
    i++;
    policies.push(makePolicy(random, nsName(n), n, round, appsPerNamespace, namespaces));
  }
  objects.push(...policies);
  return { objects, policies, apps };
}

/** One policy: the shape depends on its round within the namespace. */
export function makePolicy(random, ns, n, round, appsPerNamespace, namespaces, name) {
  const meta = (suffix) => ({ name: name ?? `${suffix}`, namespace: ns });
  // Seven namespaces in ten have a default deny (and then a DNS allowance); the others start open.
  const guarded = n % 10 < 7;
  if (round === 0 && guarded) {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
  }
  if (round === 1 && guarded) {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    };
  }
  const a = Math.floor(random() * appsPerNamespace);
  const tier = TIERS[a % 3];
  const other = Math.floor(random() * appsPerNamespace);
  const kind = Math.floor(random() * 6);
  const ingress = [];
  const egress = [];
  if (kind === 0) {
    ingress.push({ from: [{ podSelector: { matchLabels: { app: `app-${other}` } } }], ports: [{ port: 'http' }, { port: 'grpc' }] });
  } else if (kind === 1) {
    ingress.push({
      from: [
        {
          namespaceSelector: { matchLabels: { team: `t${Math.floor(random() * 10)}` } },
          podSelector: { matchLabels: { tier: 'frontend' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
  } else if (kind === 2) {
    ingress.push({
      from: [{ ipBlock: { cidr: '10.0.0.0/8', except: [`10.${n + 1}.0.0/16`] } }],
      ports: [{ port: 'metrics' }],
    });
    ingress.push({ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 443 }] });
  } else if (kind === 3) {
    egress.push({ to: [{ podSelector: { matchLabels: { tier: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    egress.push({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ port: 443 }],
    });
  } else if (kind === 4) {
    ingress.push({
      from: [
        { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] } },
        { podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] } },
      ],
      ports: [{ protocol: 'TCP', port: 30000, endPort: 30100 }],
    });
  } else {
    egress.push({
      to: [
        {
          namespaceSelector: {
            matchLabels: { 'kubernetes.io/metadata.name': `team-${String(Math.floor(random() * namespaces)).padStart(2, '0')}` },
          },
        },
      ],
      ports: [{ port: 'grpc' }],
    });
  }
  const selector = random() < 0.2 ? { matchLabels: { tier, version: 'v2' } } : { matchLabels: { app: `app-${a}` } };
  const spec = {
    podSelector: selector,
    policyTypes: [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])],
  };
  if (ingress.length > 0) spec.ingress = ingress;
  if (egress.length > 0) spec.egress = egress;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(`allow-${round}`), spec };
}
