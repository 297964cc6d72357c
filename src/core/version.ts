import { readFileSync } from 'node:fs';

/** Vigil's version, from package.json (two levels up from both src/core and dist/core). */
export const VIGIL_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export const TOOL = { name: 'vigil', version: VIGIL_VERSION, informationUri: 'https://github.com/vigil-dev/vigil' } as const;
