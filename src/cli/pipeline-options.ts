import type { Command } from 'commander';

import { UsageError } from '../core/errors.js';
import { DEFAULT_PARTITIONS, MAX_PARTITIONS, parsePartitions } from '../pipeline/partition.js';
import type { NatsOptions } from '../pipeline/nats.js';
import { loadKubeConfig } from '../sources/kube-api.js';
import type { CliIo } from './io.js';

/** Flags shared by `vigil audit serve --publish` and `vigil audit work`. */
export interface NatsFlags {
  natsCreds?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
  partitions: string;
}

/** Add the NATS connection and partition flags. */
export function withNatsFlags(command: Command): Command {
  return command
    .option('--nats-creds <file>', 'NATS credentials file (user JWT and NKey seed)')
    .option('--nats-ca <file>', 'CA of the NATS server certificate (turns TLS on)')
    .option('--nats-cert <file>', 'client certificate for NATS (mutual TLS)')
    .option('--nats-key <file>', 'client key for NATS (mutual TLS)')
    .option(
      '--partitions <n>',
      `partitions of the audit stream per cluster (receivers and workers must agree; 1-${MAX_PARTITIONS})`,
      String(DEFAULT_PARTITIONS),
    );
}

export function natsOptionsOf(flags: NatsFlags, url: string, name: string): NatsOptions {
  return {
    url,
    name,
    ...(flags.natsCreds === undefined ? {} : { credsFile: flags.natsCreds }),
    ...(flags.natsCa === undefined ? {} : { caFile: flags.natsCa }),
    ...(flags.natsCert === undefined ? {} : { certFile: flags.natsCert }),
    ...(flags.natsKey === undefined ? {} : { keyFile: flags.natsKey }),
  };
}

export function partitionsOf(flags: NatsFlags): number {
  const n = parsePartitions(flags.partitions);
  if (n === undefined) throw new UsageError(`--partitions must be a whole number from 1 to ${MAX_PARTITIONS}, got "${flags.partitions}"`);
  return n;
}

/** The cluster name when none is given: the kubeconfig's current context, else "default". */
export function defaultClusterName(io: CliIo): string {
  const hasKubeconfig = io.env.KUBECONFIG !== undefined && io.env.KUBECONFIG !== '';
  if (!hasKubeconfig && io.env.HOME === undefined) return 'default';
  try {
    const name = loadKubeConfig().getCurrentContext();
    return name === '' ? 'default' : name;
  } catch {
    return 'default';
  }
}
