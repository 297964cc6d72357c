/** Where something was read from: a file (or `-` for stdin), the document in it, and a 1-based line/column. */
export interface SourceLocation {
  readonly file: string;
  /** 0-based index of the YAML document in the file (items of a List share their document's index). */
  readonly documentIndex?: number;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
}

/** `k8s/web.yaml:12:5 (document 2)` */
export function formatSourceLocation(loc: SourceLocation): string {
  let text = loc.file;
  if (loc.line !== undefined) {
    text += `:${loc.line}`;
    if (loc.column !== undefined) text += `:${loc.column}`;
  }
  if (loc.documentIndex !== undefined && loc.documentIndex > 0) text += ` (document ${loc.documentIndex + 1})`;
  return text;
}
