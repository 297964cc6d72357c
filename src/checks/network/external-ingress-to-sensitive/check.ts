import { z } from 'zod';

import {
  networkModelOf,
  policiesSelecting,
  rulePortsFor,
  type CompiledPolicy,
  type ConnectionSet,
  type IpRange,
  type ModelPod,
  type Rule,
} from '../../../analysis/netpol/index.js';
import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { parseImageReference } from '../../../k8s/image-reference.js';
import { podTemplateOf } from '../../../k8s/pod-templates.js';
import { defineCheck } from '../../define-check.js';
import { ruleName, workloadName, workloadsOf } from '../netpol-subjects.js';
import { NETWORK_READS } from '../../reads.js';

/** Label that marks (`"true"`) or unmarks (`"false"`) a workload as sensitive, whatever it runs. */
export const SENSITIVE_LABEL = 'vigil.dev/sensitive';

const DEFAULT_NAMES = [
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'mongodb',
  'mongo',
  'redis',
  'valkey',
  'memcached',
  'elasticsearch',
  'opensearch',
  'cassandra',
  'couchdb',
  'clickhouse',
  'influxdb',
  'neo4j',
  'etcd',
  'vault',
  'consul',
  'kafka',
  'zookeeper',
  'rabbitmq',
  'minio',
];
const DEFAULT_LABEL_KEYS = ['app', 'app.kubernetes.io/name', 'app.kubernetes.io/component', 'component', 'k8s-app', 'role'];

/** Addresses that are not routable on the internet (RFC 1918, RFC 6598, loopback, link-local, ULA). */
const PRIVATE: readonly IpRange[] = [
  [4, 0x0a000000n, 0x0affffffn],
  [4, 0xac100000n, 0xac1fffffn],
  [4, 0xc0a80000n, 0xc0a8ffffn],
  [4, 0x64400000n, 0x647fffffn],
  [4, 0x7f000000n, 0x7fffffffn],
  [4, 0xa9fe0000n, 0xa9feffffn],
  [6, 0xfc000000000000000000000000000000n, 0xfdffffffffffffffffffffffffffffffn],
  [6, 0xfe800000000000000000000000000000n, 0xfebfffffffffffffffffffffffffffffn],
  [6, 1n, 1n],
].map(([family, start, end]) => ({ family: family as 4 | 6, start: start as bigint, end: end as bigint }));

/** Whether a block, minus its exceptions, still holds an internet-routable address. */
function hasPublicAddress(cidr: IpRange, except: readonly IpRange[]): boolean {
  let pieces: IpRange[] = [cidr];
  for (const hole of [...except, ...PRIVATE]) {
    if (hole.family !== cidr.family) continue;
    pieces = pieces.flatMap((p) => {
      if (hole.end < p.start || hole.start > p.end) return [p];
      const out: IpRange[] = [];
      if (hole.start > p.start) out.push({ family: p.family, start: p.start, end: hole.start - 1n });
      if (hole.end < p.end) out.push({ family: p.family, start: hole.end + 1n, end: p.end });
      return out;
    });
  }
  return pieces.length > 0;
}

function tokens(value: string): string[] {
  return value.toLowerCase().split(/[-_./]/);
}

export default defineCheck({
  id: 'network/external-ingress-to-sensitive',
  target: 'Cluster',
  reads: NETWORK_READS,
  localReads: NETWORK_READS,
  meta: {
    title: 'Sensitive workload accepts connections from outside the cluster',
    area: 'network',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1190', 'T1133'] },
    description:
      'Databases, caches, queues and secret stores should only be reachable by the workloads that use them. When no policy isolates them, or a policy admits addresses outside the cluster (no `from`, or an ipBlock), anything that can route to the pod network can try to connect.',
    remediation:
      'Isolate the workload for ingress and allow only the pods that use it (podSelector / namespaceSelector); remove ipBlock and `from`-less rules from its policies.',
  },
  options: z
    .object({
      /** Names of software that holds sensitive data, matched against labels and image names. */
      names: z.array(z.string().min(1)).default(DEFAULT_NAMES),
      /** Labels whose values name the software a pod runs. */
      labelKeys: z.array(z.string().min(1)).default(DEFAULT_LABEL_KEYS),
      /** Also recognise sensitive workloads by their images' repository names. */
      images: z.boolean().default(true),
    })
    .strict(),
  messages: {
    open: 'Sensitive workload {{workload}} ({{why}}) is not isolated for ingress: every address that can route to the pod network can connect on every port.',
    external: 'Sensitive workload {{workload}} ({{why}}) accepts connections from outside the cluster: {{sources}}.',
  },
  run({ inventory, namespaces }, ctx) {
    const model = networkModelOf(inventory, namespaces);
    const names = new Set(ctx.options.names.map((n) => n.toLowerCase()));

    const whySensitive = (pod: ModelPod): string | undefined => {
      const marked = pod.labels[SENSITIVE_LABEL];
      if (marked === 'false') return undefined;
      if (marked === 'true') return `labelled ${SENSITIVE_LABEL}=true`;
      for (const key of ctx.options.labelKeys) {
        const value = pod.labels[key];
        if (value !== undefined && tokens(value).some((t) => names.has(t))) return `${key}=${value}`;
      }
      if (!ctx.options.images) return undefined;
      const spec = podTemplateOf(pod.entry.object)?.spec;
      for (const container of arrayOrEmpty(spec?.containers)) {
        if (!isRecord(container) || typeof container.image !== 'string') continue;
        const repository = parseImageReference(container.image)?.repository ?? '';
        const last = repository.slice(repository.lastIndexOf('/') + 1);
        if (tokens(last).some((t) => names.has(t))) return `image ${container.image}`;
      }
      return undefined;
    };

    for (const workload of workloadsOf(model)) {
      const pod = workload.pods[0] as ModelPod;
      const why = whySensitive(pod);
      if (why === undefined) continue;
      const data = { workload: workloadName(workload.owner), why };
      const selecting = policiesSelecting(model, pod, 'ingress');
      if (selecting.length === 0) {
        ctx.report({ messageId: 'open', resource: workload.owner, pointer: workload.metadataPointer, data });
        continue;
      }
      const sources: string[] = [];
      let internetRoutable = false;
      const destination = { kind: 'pod' as const, pod };
      const describe = (policy: CompiledPolicy, rule: Rule, what: string, ports: ConnectionSet): string =>
        `${what}${ports.isAll ? ' on every port' : ` on ${ports.toString()}`} (NetworkPolicy ${policy.name}, ${ruleName(rule)})`;
      for (const policy of selecting) {
        for (const rule of policy.ingress) {
          const ports = rulePortsFor(rule, destination);
          if (ports.isEmpty) continue;
          if (rule.peers === undefined) {
            internetRoutable = true;
            sources.push(describe(policy, rule, 'every address (the rule has no `from`)', ports));
            continue;
          }
          for (const peer of rule.peers) {
            if (peer.kind !== 'ipBlock') continue;
            if (hasPublicAddress(peer.cidr, peer.except)) internetRoutable = true;
            const except = peer.except.length === 0 ? '' : ` except ${peer.except.map((e) => e.text).join(', ')}`;
            sources.push(describe(policy, rule, `${peer.cidr.text}${except}`, ports));
          }
        }
      }
      if (sources.length === 0) continue;
      ctx.report({
        messageId: 'external',
        resource: workload.owner,
        pointer: workload.metadataPointer,
        data: { ...data, sources: sources.join('; ') },
        // Only private ranges (other networks of the organisation) is less severe than the internet.
        ...(internetRoutable ? {} : { severity: 'medium' as const }),
      });
    }
  },
});
