import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EMPTY_CONFIG, parseConfig, type VigilConfig } from '../checks/config.js';
import { describeError, VigilError } from '../core/errors.js';

/** The config file given with --config, else `.vigil.yaml` in the working directory if it exists. */
export function loadConfig(explicit: string | undefined, cwd: string): VigilConfig {
  const file = explicit ?? (existsSync(join(cwd, '.vigil.yaml')) ? join(cwd, '.vigil.yaml') : undefined);
  if (file === undefined) return EMPTY_CONFIG;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new VigilError(`cannot read config ${file}: ${describeError(err)}`, { hint: 'Check the --config path.', cause: err });
  }
  return parseConfig(text, explicit ?? '.vigil.yaml');
}
