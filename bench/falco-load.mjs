// A bounded load generator for Vigil's Falco receiver: posts one Falco JSON alert per request, as
// Falco's http_output and falcosidekick's webhook output do, at a target rate for a fixed time over
// loopback, with at most `concurrency` requests in flight. Falco does not retry a refused POST, so
// neither does this client: every answer other than 200 counts as refused (lost at the sender).
// Memory is sampled (after a GC when --expose-gc is on). Used by bench/falco-receiver.bench.mjs (60 s)
// and test/runtime/receiver.test.ts (a few seconds).
import { Buffer } from 'node:buffer';

import { httpPoster, pacedRun } from './paced-load.mjs';

const RULES = [
  ['Terminal shell in container', 'Notice', ['T1059', 'container', 'maturity_stable', 'mitre_execution', 'shell']],
  ['Read sensitive file untrusted', 'Warning', ['T1555', 'container', 'filesystem', 'maturity_stable', 'mitre_credential_access']],
  [
    'Drop and execute new binary in container',
    'Critical',
    ['PCI_DSS_11.5.1', 'TA0003', 'container', 'maturity_stable', 'mitre_persistence'],
  ],
];
const PODS = [
  ['shop', 'web-7d9c5b6f4-x2kqz', 'web', 'registry.example.com/shop/web'],
  ['sandbox', 'debug-6c4b8d9f7-p5w7t', 'shell', 'registry.example.com/tools/debug'],
  ['shop', 'unknown-0', 'app', 'registry.example.com/shop/other'],
];

/** One Falco alert as http_output posts it, unique by time and container id. */
export function falcoAlert(n) {
  const [rule, priority, tags] = RULES[n % RULES.length];
  const [ns, pod, container, image] = PODS[(n >> 2) % PODS.length];
  const ns_time = BigInt(Date.UTC(2026, 10, 26, 6)) * 1_000_000n + BigInt(n) * 1000n;
  const time = `${new Date(Number(ns_time / 1_000_000n)).toISOString().slice(0, 19)}.${String(ns_time % 1_000_000_000n).padStart(9, '0')}Z`;
  const cid = (0x100000000000 + n).toString(16).slice(-12);
  return {
    hostname: `worker-${n % 5}`,
    output: `${time.slice(11, 29)}: ${priority} ${rule} | user=root process=bash command=bash -il container_id=${cid} container_name=${container} k8s_pod_name=${pod} k8s_ns_name=${ns}`,
    output_fields: {
      'container.id': cid,
      'container.image.repository': image,
      'container.name': container,
      'evt.time': Number(ns_time),
      'evt.type': 'execve',
      'k8s.ns.name': ns,
      'k8s.pod.name': pod,
      'proc.cmdline': 'bash -il',
      'proc.name': 'bash',
      'user.name': 'root',
      'user.uid': 0,
    },
    priority,
    rule,
    source: 'syscall',
    tags,
    time,
  };
}

/**
 * Post `rate` alerts/s, one per request, to `url` for `seconds`. `auth` is `{ bearer }` (falcosidekick
 * custom header) or `{ basic }` (the token as the password of the URL, as Falco's libcurl sends it).
 */
export async function runFalcoLoad({ url, auth, ca, rate = 1000, seconds = 60, concurrency = 8, sampleEveryMs = 5000, onSample }) {
  const authorization =
    auth.bearer !== undefined ? `Bearer ${auth.bearer}` : `Basic ${Buffer.from(`vigil:${auth.basic}`).toString('base64')}`;
  const poster = httpPoster({ url, ca, authorization, concurrency, timeoutMs: 60_000 });
  let sent = 0;
  let accepted = 0;
  let refused = 0;
  let errors = 0;
  const { elapsed, samples } = await pacedRun({
    total: Math.round(rate * seconds),
    intervalMs: 1000 / rate,
    concurrency,
    sampleEveryMs,
    onSample,
    send: async (i) => {
      const body = JSON.stringify(falcoAlert(i));
      sent++;
      try {
        if ((await poster.post(body)).status === 200) accepted++;
        else refused++;
      } catch {
        errors++;
      }
    },
  });
  poster.close();
  return { sent, accepted, refused, errors, elapsed, samples };
}
