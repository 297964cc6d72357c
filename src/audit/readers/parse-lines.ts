import type { InputProblem } from '../../core/errors.js';
import { isEventList, toAuditEvent, type AuditEvent } from '../event.js';

/** Where an event was read: a file (or `-`, or `webhook`) and the 1-based line (or batch number). */
export interface EventOrigin {
  readonly file: string;
  readonly line: number;
}

/** One thing a reader yields: an event, or a problem that was counted and stepped over. */
export type AuditReadItem =
  | { readonly kind: 'event'; readonly event: AuditEvent; readonly origin: EventOrigin }
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/** Counts of what a reader saw, so that nothing skipped goes unmentioned. */
export interface ReadCounts {
  files: number;
  lines: number;
  events: number;
  /** Lines or items that were not audit events (malformed JSON, other kinds). */
  malformed: number;
}

export function emptyCounts(): ReadCounts {
  return { files: 0, lines: 0, events: 0, malformed: 0 };
}

function problem(file: string, line: number, code: InputProblem['code'], message: string, hint: string): AuditReadItem {
  return { kind: 'problem', problem: { code, level: 'error', location: { file, line }, message, hint } };
}

/**
 * The audit events of one parsed JSON value: an Event, or an EventList (the webhook backend's batch
 * format) whose items are events. Bad items become problems; the good ones beside them are kept.
 */
export function itemsOfValue(value: unknown, file: string, line: number, out: AuditReadItem[]): void {
  if (isEventList(value)) {
    value.items.forEach((item, i) => {
      const event = toAuditEvent(item);
      if ('error' in event)
        out.push(problem(file, line, 'not-kubernetes', `EventList item ${i}: ${event.error}`, 'Only audit.k8s.io Event objects are read.'));
      else out.push({ kind: 'event', event, origin: { file, line } });
    });
    return;
  }
  if (Array.isArray(value)) {
    // A JSON array of events (some exporters write one).
    for (const item of value) itemsOfValue(item, file, line, out);
    return;
  }
  const event = toAuditEvent(value);
  if ('error' in event)
    out.push(
      problem(
        file,
        line,
        'not-kubernetes',
        // Falco's k8saudit plugin words it the same way, so one grep finds both tools' complaints.
        `data not recognized as a k8s audit event: ${event.error}`,
        'The audit log backend writes one audit.k8s.io/v1 Event per line (--audit-log-format=json).',
      ),
    );
  else out.push({ kind: 'event', event, origin: { file, line } });
}

/** Parse one line of a JSON-lines audit log. Blank lines yield nothing. */
export function parseAuditLine(text: string, file: string, line: number, out: AuditReadItem[]): void {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start++;
  if (start === text.length) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err: unknown) {
    const legacy = text.charCodeAt(start) !== 123 && text.charCodeAt(start) !== 91;
    out.push(
      problem(
        file,
        line,
        'json-syntax',
        `malformed JSON: ${err instanceof Error ? err.message : String(err)}`,
        legacy
          ? 'This looks like the legacy text format (--audit-log-format=legacy); switch the API server to --audit-log-format=json.'
          : 'The line may be truncated (a log cut mid-write); the lines around it are still read.',
      ),
    );
    return;
  }
  itemsOfValue(value, file, line, out);
}

/**
 * Read JSON-lines audit text (one Event or EventList per line) from a stream of lines, yielding events
 * and problems in order. A file whose first line is not a JSON value on its own but opens one (a
 * pretty-printed EventList, as `jq .` writes it) is read as one JSON document instead.
 */
export async function* readAuditLines(
  lines: AsyncIterable<string>,
  file: string,
  counts: ReadCounts,
  maxDocumentChars = 256 * 1024 * 1024,
): AsyncGenerator<AuditReadItem> {
  let lineNumber = 0;
  let documentMode: string[] | undefined;
  let documentChars = 0;
  let documentStart = 0;
  let seenContent = false;
  const out: AuditReadItem[] = [];
  for await (const text of lines) {
    lineNumber++;
    counts.lines++;
    if (documentMode !== undefined) {
      documentChars += text.length + 1;
      if (documentChars > maxDocumentChars) {
        yield problem(
          file,
          documentStart,
          'too-large',
          'JSON document too large to read whole',
          'Write audit events as JSON lines (one event per line).',
        );
        counts.malformed++;
        documentMode = undefined;
        continue;
      }
      documentMode.push(text);
      continue;
    }
    if (!seenContent && text.trim() !== '') {
      seenContent = true;
      if (opensDocument(text)) {
        documentMode = [text];
        documentChars = text.length;
        documentStart = lineNumber;
        continue;
      }
    }
    parseAuditLine(text, file, lineNumber, out);
    for (const item of out) {
      if (item.kind === 'event') counts.events++;
      else counts.malformed++;
      yield item;
    }
    out.length = 0;
  }
  if (documentMode !== undefined) {
    parseAuditLine(documentMode.join('\n'), file, documentStart, out);
    for (const item of out) {
      if (item.kind === 'event') counts.events++;
      else counts.malformed++;
      yield item;
    }
  }
}

/** `{` or `[` that does not parse on its own line: the start of a multi-line JSON document. */
function opensDocument(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return false;
  } catch {
    return !t.endsWith('}') || t === '{';
  }
}
