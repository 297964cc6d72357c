import { Option, type Command } from 'commander';

import { KubeApi, loadKubeConfig } from '../sources/kube-api.js';

/** Flags that choose a cluster, shared by `scan --cluster`, `snapshot` and `monitor`. */
export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

export function addClusterOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: the current context)')
    .addOption(
      new Option('--in-cluster', "use the pod's service account (when Vigil runs inside the cluster)").conflicts(['kubeconfig', 'context']),
    );
}

/** Connect as the flags say (nothing is requested yet). */
export function kubeApiOf(flags: ClusterFlags): KubeApi {
  return new KubeApi(
    loadKubeConfig({
      ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
      ...(flags.context === undefined ? {} : { context: flags.context }),
      ...(flags.inCluster === true ? { inCluster: true } : {}),
    }),
  );
}
