import { FALCO_FIELDS, FIELD_NAMES_LONGEST_FIRST, type FalcoEventView } from './fields.js';
import { REDACTED } from '../redact.js';
import { WRONG_TYPE } from './json-walk.js';

/** A rendered output: the text, and the value of each field it names (Falco's `output_fields`). */
export interface RenderedOutput {
  readonly text: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** An output template compiled once. */
export interface OutputTemplate {
  render(view: FalcoEventView): RenderedOutput;
  /** The field tokens it names, as written (`ka.uri.param[command]`). */
  readonly fields: readonly string[];
}

/** A template that names something no field is: the message and the 0-based offset. */
export class OutputTemplateError extends Error {
  override readonly name = 'OutputTemplateError';

  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Part = string | { readonly token: string; readonly width: number; readonly value: (view: FalcoEventView) => string | undefined };

const NOT_AVAILABLE = '<NA>';

/**
 * `ka.req.configmap.obj` is the ConfigMap's data; Falco's "Create/Modify Configmap With Private
 * Credentials" prints it in full, credentials included. Vigil never prints secret values: alerts show
 * the keys (which say what kind of credential it is) with every value masked. Conditions still see
 * the data as it is.
 */
const CONFIGMAP_DATA = 'ka.req.configmap.obj';

function maskedData(json: string): string {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return REDACTED;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return REDACTED;
  return JSON.stringify(Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED])));
}

/**
 * Compile a Falco output template as libsinsp's event formatter reads it: `%field` and
 * `%field[arg]` take the longest known field name at that point (so `%ka.target.name/%ka.target.resource`
 * reads two fields), `%20field` pads or cuts the value to 20 characters, a list renders as `(a,b)`,
 * and a field with no value renders as `<NA>` (Falco formats rule outputs leniently).
 */
export function compileOutput(template: string): OutputTemplate {
  const parts: Part[] = [];
  const fields: string[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== '%') {
      text += c;
      i++;
      continue;
    }
    const start = i;
    if (i === template.length - 1) throw new OutputTemplateError('invalid formatting syntax: formatting cannot end with a %', i);
    i++;
    let width = 0;
    const digits = /^\d+/.exec(template.slice(i));
    if (digits !== null) {
      width = Number(digits[0]);
      i += digits[0].length;
      if (i >= template.length) throw new OutputTemplateError('invalid formatting syntax: formatting cannot end with a number', start);
    }
    const rest = template.slice(i);
    const name = FIELD_NAMES_LONGEST_FIRST.find((n) => rest.startsWith(n));
    if (name === undefined) throw new OutputTemplateError(`invalid formatting token ${rest}`, start);
    const spec = FALCO_FIELDS.get(name);
    if (spec === undefined) throw new OutputTemplateError(`invalid formatting token ${rest}`, start);
    i += name.length;
    let arg: string | undefined;
    if (spec.arg !== 'none' && template[i] === '[') {
      const close = template.indexOf(']', i + 1);
      if (close === -1) throw new OutputTemplateError(`missing ']' after the argument of ${name}`, i);
      arg = template.slice(i + 1, close);
      i = close + 1;
    }
    if (spec.arg === 'key' && (arg === undefined || arg === ''))
      throw new OutputTemplateError(`field '${name}' requires an argument: ${name}[…]`, start);
    if (spec.arg === 'index' && arg !== undefined && !/^\d+$/.test(arg))
      throw new OutputTemplateError(`the argument of '${name}' must be an index (a number)`, start);
    const key = spec.arg === 'key' ? arg : undefined;
    const index = spec.arg === 'index' && arg !== undefined ? Number(arg) : undefined;
    const token = arg === undefined ? name : `${name}[${arg}]`;
    if (text !== '') parts.push(text);
    text = '';
    fields.push(token);
    parts.push({
      token,
      width,
      value: (view) => {
        const v = spec.extract(view, key, index);
        if (v === undefined || v === WRONG_TYPE) return undefined;
        if (typeof v === 'string') return name === CONFIGMAP_DATA ? maskedData(v) : v;
        return v.length === 0 ? undefined : `(${v.join(',')})`;
      },
    });
  }
  if (text !== '') parts.push(text);
  return {
    fields,
    render(view) {
      let out = '';
      const values: Record<string, string> = {};
      for (const part of parts) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        const v = part.value(view);
        if (v !== undefined) values[part.token] = v;
        const shown = v ?? NOT_AVAILABLE;
        out += part.width > 0 ? shown.slice(0, part.width).padEnd(part.width, ' ') : shown;
      }
      return { text: out, fields: values };
    },
  };
}
