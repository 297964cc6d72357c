/**
 * Control-plane flags read from a file instead of a static pod: the command line of kube-apiserver
 * (or kube-controller-manager, kube-scheduler, etcd) as `ps -o args`, a systemd unit's ExecStart, a
 * flags file with one flag per line, or `/proc/<pid>/cmdline` (NUL-separated). The flags become a
 * Pod in kube-system running that command — the shape the control-plane checks read — with each
 * argument located at its line in the file.
 */
import { readFileSync } from 'node:fs';

import type { InputProblem } from '../core/errors.js';
import type { KubeObject } from '../k8s/types.js';
import type { SourcedObject } from './manifest-objects.js';
import type { PositionIndex } from './positions.js';

/** The binaries whose flags can be read (the control-plane checks know these). */
export const FLAG_FILE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;
export type FlagFileComponent = (typeof FLAG_FILE_COMPONENTS)[number];

function isComponent(value: string): value is FlagFileComponent {
  return (FLAG_FILE_COMPONENTS as readonly string[]).includes(value);
}

interface Token {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Split shell-like text into words: quotes group, `\` escapes and continues lines, `#` starts a comment. */
export function tokenize(text: string): Token[] {
  if (text.includes('\0')) {
    // /proc/<pid>/cmdline: arguments separated by NUL, all on "line 1".
    return text
      .split('\0')
      .filter((t) => t !== '')
      .map((t) => ({ text: t, line: 1, column: 1 }));
  }
  const tokens: Token[] = [];
  let line = 1;
  let column = 0;
  let current: string | undefined;
  let start = { line: 1, column: 1 };
  let quote: '"' | "'" | undefined;
  const finish = (): void => {
    if (current !== undefined) tokens.push({ text: current, ...start });
    current = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    column++;
    if (ch === '\n') {
      line++;
      column = 0;
      if (quote === undefined) {
        finish();
        continue;
      }
    }
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current = (current ?? '') + ch;
      continue;
    }
    if (ch === '\\' && text[i + 1] === '\n') {
      i++;
      line++;
      column = 0;
      continue;
    }
    if (ch === '#' && current === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (/\s/.test(ch)) {
      finish();
      continue;
    }
    if (current === undefined) {
      current = '';
      start = { line, column };
    }
    if (ch === '"' || ch === "'") quote = ch;
    else current += ch;
  }
  finish();
  return tokens;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Read one flags file. `component` is the binary when the file does not start with it; `ExecStart=`
 * (systemd) is accepted before the binary.
 */
export function readFlagsFile(
  text: string,
  file: string,
  component?: FlagFileComponent,
): { objects: SourcedObject[]; problems: InputProblem[] } {
  const tokens = tokenize(text.replace(/^\s*ExecStart=/m, ''));
  const first = tokens[0];
  const named = first !== undefined && isComponent(basename(first.text)) ? (basename(first.text) as FlagFileComponent) : undefined;
  const chosen = component ?? named;
  if (chosen === undefined) {
    return {
      objects: [],
      problems: [
        {
          code: 'missing-field',
          level: 'error',
          location: { file, line: first?.line ?? 1 },
          message: 'cannot tell which control-plane component these flags belong to',
          hint: `Start the file with the binary (kube-apiserver --flag=…) or name it: --control-plane-flags kube-apiserver=${file}`,
        },
      ],
    };
  }
  const args = named === undefined ? tokens : tokens.slice(1);
  const object: KubeObject = {
    apiVersion: 'vigil.dev/v1alpha1',
    kind: 'ControlPlaneFlags',
    metadata: { name: chosen, namespace: 'kube-system', annotations: { 'vigil.dev/flags-file': file } },
    component: chosen,
    args: args.map((t) => t.text),
  };
  const positions: PositionIndex = {
    locate(pointer) {
      const m = /^\/args\/(\d+)/.exec(pointer);
      const token = m === null ? undefined : args[Number(m[1])];
      return token === undefined ? { line: first?.line ?? 1, column: 1 } : { line: token.line, column: token.column };
    },
  };
  return { objects: [{ object, source: { file, documentIndex: 0, pointerPrefix: '', line: first?.line ?? 1, positions } }], problems: [] };
}

/** Read `[component=]path` specifications, as given to `--control-plane-flags`. */
export function loadFlagsFiles(specs: readonly string[]): { objects: SourcedObject[]; problems: InputProblem[] } {
  const objects: SourcedObject[] = [];
  const problems: InputProblem[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const prefix = eq === -1 ? '' : spec.slice(0, eq);
    const component = isComponent(prefix) ? prefix : undefined;
    const file = component === undefined ? spec : spec.slice(eq + 1);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err: unknown) {
      const notFound = err instanceof Error && 'code' in err && err.code === 'ENOENT';
      problems.push({
        code: notFound ? 'not-found' : 'unreadable',
        level: 'error',
        location: { file },
        message: notFound ? 'flags file not found' : `cannot read flags file: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'Check the path given to --control-plane-flags.',
      });
      continue;
    }
    const result = readFlagsFile(text, file, component);
    objects.push(...result.objects);
    problems.push(...result.problems);
  }
  return { objects, problems };
}
