import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/shared.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A path under `../shared` (conformance suites, corpus, schemas), read in place and never copied.
 * The folder sits beside the checkout, in development and in CI alike.
 */
export function sharedPath(...segments: string[]): string {
  return join(REPO_ROOT, '..', 'shared', ...segments);
}

export const SHARED_AVAILABLE = existsSync(sharedPath());
