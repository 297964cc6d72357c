import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadFlagsFiles, readFlagsFile, tokenize } from './flags-file.js';

describe('control-plane flags files', () => {
  it('tokenizes like a shell: quotes, continuations, comments', () => {
    const text = '# kube-apiserver flags\n/usr/bin/kube-apiserver \\\n  --a=1 \\\n  --b="x y" # note\n--c\n';
    expect(tokenize(text).map((t) => [t.text, t.line])).toEqual([
      ['/usr/bin/kube-apiserver', 2],
      ['--a=1', 3],
      ['--b=x y', 4],
      ['--c', 5],
    ]);
    expect(tokenize('kube-scheduler\0--profiling=false\0').map((t) => t.text)).toEqual(['kube-scheduler', '--profiling=false']);
  });

  it('builds a ControlPlaneFlags object with the arguments and a line for each', () => {
    const { objects, problems } = readFlagsFile('ExecStart=/usr/local/bin/kube-apiserver \\\n  --anonymous-auth=true\n', 'apiserver.flags');
    expect(problems).toEqual([]);
    const flags = objects[0];
    expect(flags?.object).toMatchObject({
      kind: 'ControlPlaneFlags',
      metadata: { name: 'kube-apiserver' },
      component: 'kube-apiserver',
      args: ['--anonymous-auth=true'],
    });
    expect(flags?.source?.positions?.locate('/args/0')).toEqual({ line: 2, column: 3 });
  });

  it('takes the component from the specification when the file does not name it, and says so when neither does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-flags-'));
    const file = join(dir, 'etcd.args');
    writeFileSync(file, '--client-cert-auth=false\n');
    expect(loadFlagsFiles([`etcd=${file}`]).objects[0]?.object.metadata.name).toBe('etcd');
    const unnamed = loadFlagsFiles([file]);
    expect(unnamed.objects).toEqual([]);
    expect(unnamed.problems[0]?.hint).toContain('--control-plane-flags kube-apiserver=');
    expect(loadFlagsFiles([join(dir, 'missing')]).problems.map((p) => p.code)).toEqual(['not-found']);
  });
});
