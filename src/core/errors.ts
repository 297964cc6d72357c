import type { SourceLocation } from './source-location.js';

/**
 * A problem with the input that Vigil reports and steps over: a document it could not read, a file it
 * would not open. It is a value, not an exception, so one bad document never stops the others.
 */
export interface InputProblem {
  /** Machine-readable kind, stable across releases. */
  readonly code: InputProblemCode;
  /**
   * `error` skips what it names; `warning` notes something odd that was still read; `info` is worth
   * knowing but expected in some layouts (the same object in two environment folders).
   */
  readonly level: 'error' | 'warning' | 'info';
  readonly location: SourceLocation;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** What to do about it. */
  readonly hint?: string;
}

export type InputProblemCode =
  | 'not-found'
  | 'unreadable'
  | 'binary'
  | 'too-large'
  | 'empty'
  | 'yaml-syntax'
  | 'json-syntax'
  | 'alias-limit'
  | 'not-an-object'
  | 'not-kubernetes'
  | 'missing-field'
  | 'duplicate-object'
  | 'kustomize'
  | 'invalid-exception';

/** Thrown for problems that stop a command (bad flags, unreadable config): they carry a hint. */
export class VigilError extends Error {
  override readonly name: string = 'VigilError';
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;

  constructor(message: string, options: { hint?: string; location?: SourceLocation; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Thrown for command-line mistakes; the CLI exits 2. */
export class UsageError extends VigilError {
  override readonly name = 'UsageError';
}

/** A readable message for anything caught. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
