import { Command } from 'commander';

import { UsageError } from '../core/errors.js';
import { readCluster } from '../sources/cluster.js';
import { snapshotDocument } from '../sources/snapshot.js';
import { addClusterOptions, kubeApiOf, type ClusterFlags } from './cluster-options.js';
import { emit, EXIT, type CliIo } from './io.js';

interface SnapshotFlags extends ClusterFlags {
  cluster?: boolean;
  output?: string;
  namespace?: string;
}

export function snapshotCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = new Command('snapshot')
    .summary('save what a live cluster holds to a file, to scan offline')
    .description(
      'Read every kind the checks need from a live cluster (Secrets as metadata only) and write them as one JSON List that `vigil scan` reads offline.',
    )
    .option('--cluster', 'read from the cluster of the kubeconfig (required: the only source for now)')
    .option('-o, --output <file>', 'write the snapshot to a file (default: standard output)')
    .option('-n, --namespace <namespace>', 'read namespaced kinds from this namespace only');
  addClusterOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  vigil snapshot --cluster -o snap.json
  vigil snapshot --cluster --context prod -n shop -o shop.json
  vigil scan snap.json --format sarif

Kinds the identity may not list are noted on stderr and in the snapshot's "vigil.problems"; the rest is saved.`,
    )
    .action(async (flags: SnapshotFlags) => {
      if (flags.cluster !== true)
        throw new UsageError('vigil snapshot needs --cluster', { hint: 'Run `vigil snapshot --cluster -o snap.json`.' });
      const api = kubeApiOf(flags);
      const result = await readCluster(api, flags.namespace === undefined ? {} : { namespace: flags.namespace });
      const text = `${JSON.stringify(snapshotDocument(result, new Date(), flags.namespace), null, 2)}\n`;
      emit(io, text, flags.output);
      for (const p of result.problems) io.stderr.write(`vigil: ${p.level}: ${p.message}\n`);
      io.stderr.write(
        `vigil: ${result.objects.length} objects from ${result.server}${flags.output === undefined ? '' : ` → ${flags.output}`}\n`,
      );
      setExit(EXIT.ok);
    });
}
