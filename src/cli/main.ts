#!/usr/bin/env node
import { runCli } from './program.js';

// The entry point: real process streams, then exit with the command's code once output is flushed.
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
