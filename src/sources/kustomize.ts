import { spawnSync } from 'node:child_process';

/** File names that make a folder a kustomization (kustomize accepts all three). */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export type KustomizeResult =
  | { readonly ok: true; readonly text: string; readonly tool: string }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * Render a kustomization with `kubectl kustomize` (or a standalone `kustomize build`), the way it
 * would be applied. Raw files of a kustomization are patches and bases, not what reaches the cluster.
 */
export function renderKustomization(dir: string, timeoutMs = 120_000): KustomizeResult {
  const attempts: [string, string[]][] = [
    ['kubectl', ['kustomize', dir]],
    ['kustomize', ['build', dir]],
  ];
  for (const [command, args] of attempts) {
    const run = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
    const spawnError = run.error as NodeJS.ErrnoException | undefined;
    if (spawnError?.code === 'ENOENT') continue;
    if (spawnError !== undefined) {
      return {
        ok: false,
        message: `${command} failed: ${spawnError.message}`,
        hint: `Render it yourself and pipe it in: kubectl kustomize ${dir} | vigil scan -`,
      };
    }
    if (run.status !== 0) {
      const detail = run.stderr.trim().split('\n').slice(-3).join(' ');
      return {
        ok: false,
        message: `${command} could not render the kustomization: ${detail}`,
        hint: `Fix the kustomization so that \`${command} ${args.join(' ')}\` succeeds.`,
      };
    }
    return { ok: true, text: run.stdout, tool: command };
  }
  return {
    ok: false,
    message: 'this folder is a kustomization, but neither kubectl nor kustomize is on PATH to render it, so it was not scanned',
    hint: `Install kubectl, or render it elsewhere and pipe it in: kubectl kustomize ${dir} | vigil scan -`,
  };
}
