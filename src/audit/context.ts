import type { Inventory } from '../inventory/inventory.js';
import { isRecord } from '../k8s/guards.js';
import { containersOf } from '../k8s/pod-templates.js';
import type { PodSpec } from '../k8s/types.js';
import { serviceAccountNamespace } from './fields.js';

/** A workload as the audit context names it. */
export interface WorkloadName {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Any container of its pod template runs privileged. */
  readonly privileged: boolean;
}

/**
 * What Vigil knows about the cluster beside the audit log (manifests given with `--context`, or the
 * live cluster later): which workloads mount which secrets and run as which service accounts. Used by
 * conditions (`secretConsumers`) and to enrich alerts (`actor.workload`, `target.workload`).
 */
export class AuditContext {
  private readonly secretUsers = new Map<string, Set<string>>();
  private readonly byServiceAccount = new Map<string, WorkloadName[]>();
  private readonly workloads: WorkloadName[] = [];

  constructor(inventory: Inventory) {
    for (const { owner, template } of inventory.podTemplates()) {
      const namespace = owner.ref.namespace ?? inventory.defaultNamespace;
      const spec = template.spec;
      const sa = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
      const username = `system:serviceaccount:${namespace}:${sa}`;
      const containers = containersOf(spec, template.specPointer);
      const workload: WorkloadName = {
        kind: owner.ref.kind,
        namespace,
        name: owner.ref.name,
        privileged: containers.some((c) => c.container.securityContext?.privileged === true),
      };
      this.workloads.push(workload);
      const list = this.byServiceAccount.get(username);
      if (list === undefined) this.byServiceAccount.set(username, [workload]);
      else list.push(workload);
      for (const secret of secretsMountedBy(spec)) {
        const key = `${namespace}/${secret}`;
        let users = this.secretUsers.get(key);
        if (users === undefined) {
          users = new Set();
          this.secretUsers.set(key, users);
        }
        users.add(username);
      }
    }
  }

  /** Service-account user names of the workloads that mount or reference a secret. */
  secretConsumers(namespace: string, name: string): string[] {
    return [...(this.secretUsers.get(`${namespace}/${name}`) ?? [])];
  }

  /** The workloads that run as a service account (by user name `system:serviceaccount:ns:name`). */
  workloadsOf(username: string): readonly WorkloadName[] {
    return serviceAccountNamespace(username) === undefined ? [] : (this.byServiceAccount.get(username) ?? []);
  }

  /**
   * The workload a pod belongs to, from the pod's generated name: Deployments name pods
   * `<name>-<hash>-<suffix>`, StatefulSets `<name>-<ordinal>`, DaemonSets and Jobs `<name>-<suffix>`.
   */
  workloadOfPod(namespace: string, pod: string): WorkloadName | undefined {
    let best: WorkloadName | undefined;
    for (const w of this.workloads) {
      if (w.namespace !== namespace) continue;
      if (w.name === pod || pod.startsWith(`${w.name}-`)) {
        if (best === undefined || w.name.length > best.name.length) best = w;
      }
    }
    return best;
  }
}

/** Secrets a pod spec uses: secret volumes, projected secrets, env and envFrom references, image pull secrets. */
export function secretsMountedBy(spec: PodSpec): Set<string> {
  const out = new Set<string>();
  for (const volume of spec.volumes ?? []) {
    if (typeof volume.secret?.secretName === 'string') out.add(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? []) {
      const secret = source.secret;
      if (isRecord(secret) && typeof secret.name === 'string') out.add(secret.name);
    }
  }
  for (const { container } of containersOf(spec, '')) {
    for (const env of container.env ?? []) {
      const name = env.valueFrom?.secretKeyRef?.name;
      if (typeof name === 'string') out.add(name);
    }
    for (const from of container.envFrom ?? []) if (typeof from.secretRef?.name === 'string') out.add(from.secretRef.name);
  }
  for (const pull of spec.imagePullSecrets ?? []) if (typeof pull.name === 'string') out.add(pull.name);
  return out;
}
