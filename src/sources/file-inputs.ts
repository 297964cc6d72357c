import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

import { globSync } from 'tinyglobby';

import type { InputProblem } from '../core/errors.js';
import { KUSTOMIZATION_FILES } from './kustomize.js';

/** One thing to read: a file, standard input, or a kustomization folder to render. */
export type InputTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'kustomize'; readonly dir: string; readonly file: string };

const MANIFEST_EXTENSIONS = /\.(?:ya?ml|json)$/i;
const GLOB_CHARS = /[*?[\]{}]/;
/** Vigil's own configuration is never a manifest. */
const CONFIG_FILES = new Set(['.vigil.yaml', '.vigil.yml']);
/** Folders that never hold manifests and can be huge. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Expand command-line inputs into targets: `-` is stdin, folders are walked recursively (YAML and JSON
 * files, hidden folders skipped, kustomizations rendered instead of walked), anything else that does
 * not exist is tried as a glob. Order is deterministic: inputs as given, folder entries sorted.
 */
export function expandInputs(inputs: readonly string[]): { targets: InputTarget[]; problems: InputProblem[] } {
  const targets: InputTarget[] = [];
  const problems: InputProblem[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  const addFile = (path: string): void => {
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // Keep the path as given; reading it will report the problem.
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    targets.push({ kind: 'file', path });
  };

  const walk = (dir: string): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      real = dir;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err: unknown) {
      problems.push({
        code: 'unreadable',
        level: 'error',
        location: { file: dir },
        message: `cannot read folder: ${(err as Error).message}`,
        hint: 'Check the path and its permissions.',
      });
      return;
    }
    const kustomization = KUSTOMIZATION_FILES.find((name) => entries.some((e) => e.name === name && !e.isDirectory()));
    if (kustomization !== undefined) {
      targets.push({ kind: 'kustomize', dir, file: join(dir, kustomization) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const stats = statOrUndefined(path);
        isDir = stats?.isDirectory() ?? false;
        isFile = stats?.isFile() ?? false;
      }
      if (isDir) {
        if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (isFile && MANIFEST_EXTENSIONS.test(entry.name) && !CONFIG_FILES.has(entry.name)) {
        addFile(path);
      }
    }
  };

  for (const input of inputs) {
    if (input === '-') {
      targets.push({ kind: 'stdin' });
      continue;
    }
    const stats = statOrUndefined(input);
    if (stats?.isDirectory() === true) {
      walk(input);
    } else if (stats !== undefined) {
      addFile(input);
    } else if (GLOB_CHARS.test(input)) {
      const matches = globSync(input, { onlyFiles: true, expandDirectories: false }).sort();
      if (matches.length === 0) {
        problems.push({
          code: 'not-found',
          level: 'error',
          location: { file: input },
          message: 'the pattern matched no files',
          hint: 'Check the pattern; quote it so that the shell does not expand it first.',
        });
      }
      for (const match of matches) addFile(match);
    } else {
      problems.push({
        code: 'not-found',
        level: 'error',
        location: { file: input },
        message: 'no such file or folder',
        hint: 'Check the path; use - to read from standard input.',
      });
    }
  }
  return { targets, problems };
}
