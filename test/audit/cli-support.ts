import { runCli } from '../../src/cli/program.js';
import { REPO_ROOT } from '../support/shared.js';

/** Run the CLI in-process, capturing output. */
export async function run(
  args: readonly string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: options.cwd ?? REPO_ROOT,
    ...(options.stdin === undefined ? {} : { readStdin: () => Promise.resolve(options.stdin as string) }),
  });
  return { code, stdout, stderr };
}
