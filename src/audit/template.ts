import type { AuditEvent } from './event.js';
import { AUDIT_FIELDS, fieldReader, fieldText } from './fields.js';

/** Values a stateful rule adds to its alert: `count` (events in the window), `distinct` (the distinct values), `events`. */
export type TemplateExtras = Readonly<Record<string, string | number>>;

/** Template fields that come from a rule's state rather than from the event. */
export const STATE_FIELDS = ['count', 'distinct', 'events'] as const;

const NO_EXTRAS: TemplateExtras = {};

/**
 * Compile an output template once: `{field}` placeholders name event fields (see AUDIT_FIELDS) or
 * dotted paths into the event; `{{` and `}}` are literal braces. A missing value renders as `<none>`.
 * Returns the renderer and the field names it reads.
 */
export function compileTemplate(template: string): { render: (event: AuditEvent, extra?: TemplateExtras) => string; fields: string[] } {
  const parts: (string | ((e: AuditEvent, extra: TemplateExtras) => string))[] = [];
  const fields: string[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i++;
    } else if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i++;
    } else if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      if (end === -1) {
        text += template.slice(i);
        break;
      }
      const name = template.slice(i + 1, end).trim();
      if (text !== '') parts.push(text);
      text = '';
      fields.push(name);
      const read = fieldReader(name);
      const stateField = (STATE_FIELDS as readonly string[]).includes(name);
      parts.push((e, extra) => {
        const fromState = stateField ? extra[name] : undefined;
        const value = fromState === undefined ? fieldText(read(e)) : String(fromState);
        return value === '' ? '<none>' : value;
      });
      i = end;
    } else text += ch;
  }
  if (text !== '') parts.push(text);
  return {
    render: (event, extra = NO_EXTRAS) => {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : part(event, extra);
      return out;
    },
    fields,
  };
}

/** Field names a template reads that are neither named fields nor plausible event paths (typos). */
export function unknownTemplateFields(fields: readonly string[]): string[] {
  const roots = new Set([
    'kind',
    'apiVersion',
    'level',
    'auditID',
    'stage',
    'requestURI',
    'verb',
    'user',
    'impersonatedUser',
    'sourceIPs',
    'userAgent',
    'objectRef',
    'responseStatus',
    'requestObject',
    'responseObject',
    'requestReceivedTimestamp',
    'stageTimestamp',
    'annotations',
  ]);
  return fields.filter(
    (f) => AUDIT_FIELDS[f] === undefined && !(STATE_FIELDS as readonly string[]).includes(f) && !roots.has(f.split('.')[0] ?? ''),
  );
}
