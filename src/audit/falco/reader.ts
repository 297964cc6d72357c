import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';

import { LineIndex } from '../../sources/line-index.js';
import type { ExceptionEntry, ExceptionInfo, FalcoCollector, Loc, RuleUpdate, SourceText } from './collector.js';
import { parsePriority, type FalcoPriority } from './priority.js';

/** A problem with one item of a rule file: the message and the node it is about. */
class ItemError extends Error {
  override readonly name = 'ItemError';

  constructor(
    message: string,
    readonly node: unknown,
  ) {
    super(message);
  }
}

// Names Falco accepts (rule_loader_reader.cpp): lists are bare strings, macros identifiers.
const LIST_NAME = /^[^()"'\s=,]+$/;
const MACRO_NAME = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

const RULE_KEYS = new Set([
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'source',
  'enabled',
  'tags',
  'exceptions',
  'append',
  'override',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'capture',
  'capture_duration',
]);
const LIST_KEYS = new Set(['list', 'items', 'append', 'override']);
const MACRO_KEYS = new Set(['macro', 'condition', 'append', 'override']);
const RULE_APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const RULE_REPLACEABLE = new Set([
  'condition',
  'output',
  'desc',
  'priority',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
]);

// yaml-cpp's boolean spellings (convert<bool>): y/n, yes/no, true/false, on/off, in lower, upper or title case.
const TRUE_WORDS = ['y', 'yes', 'true', 'on'];
const FALSE_WORDS = ['n', 'no', 'false', 'off'];
const cases = (w: string): string[] => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)];
const TRUE_SET = new Set(TRUE_WORDS.flatMap(cases));
const FALSE_SET = new Set(FALSE_WORDS.flatMap(cases));

const SEMVER = /^(\d+)\.(\d+)\.(\d+)/;

/** The version Falco derives from an integer `required_engine_version: N`: 0.N.0. */
export function implicitEngineVersion(n: number): string {
  return `0.${n}.0`;
}

class FileReader {
  private readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly collector: FalcoCollector,
    private readonly knownField: (name: string) => boolean,
  ) {
    this.lines = new LineIndex(text);
  }

  private locOf(node: unknown, fallback?: Loc): Loc {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range === undefined) return fallback ?? { file: this.file, line: 1, column: 1 };
    const p = this.lines.position(range[0]);
    return { file: this.file, line: p.line, column: p.column };
  }

  read(): void {
    const docs = parseAllDocuments(this.text, { schema: 'failsafe', uniqueKeys: false });
    if (!Array.isArray(docs)) return;
    for (const doc of docs) {
      const error = doc.errors[0];
      if (error !== undefined) {
        const p = this.lines.position(error.pos[0]);
        this.collector.problems.push({
          code: 'yaml-syntax',
          level: 'error',
          location: { file: this.file, line: p.line, column: p.column },
          message: `YAML: ${error.message.split('\n')[0] ?? ''}`,
          hint: 'A Falco rules file is a YAML list of items (- rule:, - macro:, - list:); fix the YAML and load it again.',
        });
        return;
      }
    }
    for (const doc of docs) this.readDocument(doc);
  }

  private resolve(doc: Document, node: unknown): unknown {
    return isAlias(node) ? node.resolve(doc) : node;
  }

  private readDocument(doc: Document): void {
    const contents = doc.contents;
    if (contents === null || isNull(contents)) return;
    if (!isSeq(contents)) {
      this.collector.problem(
        'error',
        this.locOf(contents),
        isMap(contents) ? 'Rules content is not yaml array of objects' : 'Rules content is not yaml',
        'A Falco rules file is a YAML list: each item starts with "- rule:", "- macro:", "- list:" or "- required_engine_version:".',
      );
      return;
    }
    for (const raw of contents.items) {
      const item = this.resolve(doc, raw);
      if (isNull(item)) continue;
      try {
        this.readItem(doc, item);
      } catch (err: unknown) {
        if (!(err instanceof ItemError)) throw err;
        this.collector.problem('error', this.locOf(err.node, this.locOf(item)), err.message);
      }
    }
  }

  private readItem(doc: Document, item: unknown): void {
    if (!isMap(item)) throw new ItemError('Unexpected element type. Each element should be a yaml associative array.', item);
    const has = (key: string): boolean => get(doc, item, key) !== undefined;
    if (has('required_engine_version')) this.readEngineVersion(doc, item);
    else if (has('required_plugin_versions')) this.readPluginVersions(doc, item);
    else if (has('list')) this.readList(doc, item);
    else if (has('macro')) this.readMacro(doc, item);
    else if (has('rule')) this.readRule(doc, item);
    else
      this.collector.problem('warning', this.locOf(item), 'Unknown top level item (not a rule, macro, list or required version): ignored');
  }

  private warnUnknownKeys(doc: Document, item: YAMLMap, allowed: ReadonlySet<string>, what: string): void {
    for (const pair of item.items) {
      const key = this.resolve(doc, pair.key);
      const name = isScalar(key) ? String(key.value) : '';
      if (!allowed.has(name))
        this.collector.problem('warning', this.locOf(key, this.locOf(item)), `${what}: unknown key '${name}' ignored`);
    }
  }

  /** decode_val: a required (or optional) non-empty scalar. */
  private scalar(doc: Document, item: YAMLMap, key: string, optional: true): string | undefined;
  private scalar(doc: Document, item: YAMLMap, key: string, optional?: false): string;
  private scalar(doc: Document, item: YAMLMap, key: string, optional = false): string | undefined {
    const val = get(doc, item, key);
    if (val === undefined) {
      if (optional) return undefined;
      throw new ItemError(`Item has no mapping for key '${key}'`, item);
    }
    if (isNull(val)) throw new ItemError(`Mapping for key '${key}' is empty`, val);
    if (!isScalar(val)) throw new ItemError(`Value for key '${key}' is not a scalar value`, val);
    const text = String(val.value);
    if (text === '') throw new ItemError(`Value for key '${key}' must be non-empty`, val);
    return text;
  }

  private bool(doc: Document, item: YAMLMap, key: string, optional: true): boolean | undefined;
  private bool(doc: Document, item: YAMLMap, key: string, optional?: false): boolean;
  private bool(doc: Document, item: YAMLMap, key: string, optional = false): boolean | undefined {
    const text = optional ? this.scalar(doc, item, key, true) : this.scalar(doc, item, key);
    if (text === undefined) return undefined;
    if (TRUE_SET.has(text)) return true;
    if (FALSE_SET.has(text)) return false;
    throw new ItemError(`Can't decode YAML scalar value for key '${key}': expected true or false`, get(doc, item, key));
  }

  /** decode_seq: a sequence of scalars. */
  private strings(doc: Document, item: YAMLMap, key: string, optional: boolean): string[] | undefined {
    const val = get(doc, item, key);
    if (val === undefined) {
      if (optional) return undefined;
      throw new ItemError(`Item has no mapping for key '${key}'`, item);
    }
    if (!isSeq(val)) throw new ItemError(`Value for key '${key}' is not a sequence`, val);
    return val.items.map((raw) => {
      const v = this.resolve(doc, raw);
      if (!isScalar(v)) throw new ItemError(`${key}: sequence value is not scalar`, v);
      return String(v.value);
    });
  }

  /** The condition's text and where its characters are in the file. */
  private sourceText(doc: Document, item: YAMLMap, key: string): SourceText {
    const text = this.scalar(doc, item, key);
    const node = get(doc, item, key) as Node;
    const loc = this.locOf(node);
    const range = node.range;
    let exact = false;
    let start = loc;
    if (isScalar(node) && range !== undefined && range !== null) {
      const source = this.text.slice(range[0], range[1]);
      if (node.type === 'PLAIN' && source === text) exact = true;
      else if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && source.slice(1, -1) === text) {
        exact = true;
        start = { ...loc, column: loc.column + 1 };
      }
    }
    return { text, pieces: [{ start: 0, length: text.length, loc: start, exact }] };
  }

  /** override: {key: append|replace}. */
  private overrides(
    doc: Document,
    item: YAMLMap,
    appendable: ReadonlySet<string>,
    replaceable: ReadonlySet<string>,
  ): { append: Set<string>; replace: Set<string> } {
    const append = new Set<string>();
    const replace = new Set<string>();
    const val = get(doc, item, 'override');
    if (val === undefined) return { append, replace };
    if (!isMap(val)) throw new ItemError("'override' must be a mapping of keys to append or replace", val);
    for (const pair of val.items) {
      const k = this.resolve(doc, pair.key);
      const v = this.resolve(doc, pair.value);
      const key = isScalar(k) ? String(k.value) : '';
      const operation = isScalar(v) ? String(v.value) : '';
      if (operation === 'append') {
        if (!appendable.has(key)) throw new ItemError(`Key '${key}' cannot be appended to, use 'replace' instead`, k);
        append.add(key);
      } else if (operation === 'replace') {
        if (!replaceable.has(key)) throw new ItemError(`Key '${key}' cannot be replaced`, k);
        replace.add(key);
      } else {
        const allowed = [appendable.has(key) ? 'append' : '', replaceable.has(key) ? 'replace' : ''].filter((s) => s !== '').join(' ');
        throw new ItemError(`Invalid override operation for key '${key}': '${operation}'. Allowed values are: ${allowed}`, v);
      }
    }
    return { append, replace };
  }

  private readEngineVersion(doc: Document, item: YAMLMap): void {
    const text = this.scalar(doc, item, 'required_engine_version');
    let version: string;
    if (/^\d+$/.test(text.trim()) && Number(text) <= 0xffffffff) version = implicitEngineVersion(Number(text));
    else {
      if (!SEMVER.test(text))
        throw new ItemError(`Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`, item);
      version = text;
    }
    this.collector.engineVersions.push({ version, loc: this.locOf(item) });
  }

  private readPluginVersions(doc: Document, item: YAMLMap): void {
    const list = get(doc, item, 'required_plugin_versions');
    if (!isSeq(list)) throw new ItemError('Value of required_plugin_versions must be a sequence', list);
    for (const raw of list.items) {
      const plugin = this.resolve(doc, raw);
      if (!isMap(plugin)) throw new ItemError('Plugin version must be a mapping', plugin);
      const alternatives = [{ name: this.scalar(doc, plugin, 'name'), version: this.scalar(doc, plugin, 'version') }];
      const alts = get(doc, plugin, 'alternatives');
      if (alts !== undefined) {
        if (!isSeq(alts)) throw new ItemError('Value of plugin version alternatives must be a sequence', alts);
        for (const rawAlt of alts.items) {
          const alt = this.resolve(doc, rawAlt);
          if (!isMap(alt)) throw new ItemError('Plugin version alternative must be a mapping', alt);
          alternatives.push({ name: this.scalar(doc, alt, 'name'), version: this.scalar(doc, alt, 'version') });
        }
      }
      const seen = new Set<string>();
      for (const a of alternatives) {
        if (!SEMVER.test(a.version)) throw new ItemError(`Invalid required version '${a.version}' for plugin '${a.name}'`, plugin);
        if (seen.has(a.name)) throw new ItemError(`Defined multiple alternative version requirements for plugin '${a.name}'`, plugin);
        seen.add(a.name);
      }
      this.collector.pluginVersions.push({ alternatives, loc: this.locOf(plugin) });
    }
  }

  private readList(doc: Document, item: YAMLMap): void {
    const name = this.scalar(doc, item, 'list');
    const loc = this.locOf(item);
    const fail = (message: string, node: unknown = item): never => {
      throw new ItemError(`list '${name}': ${message}`, node);
    };
    if (!LIST_NAME.test(name)) fail(`List name is invalid: it must match ${LIST_NAME.source}`);
    this.warnUnknownKeys(doc, item, LIST_KEYS, `list '${name}'`);
    let items: string[];
    try {
      items = this.strings(doc, item, 'items', false) as string[];
    } catch (err: unknown) {
      if (err instanceof ItemError) fail(err.message, err.node);
      throw err;
    }
    let append = this.bool(doc, item, 'append', true) ?? false;
    if (append) this.deprecatedAppend(loc, `list '${name}'`, 'items');
    const o = this.overrides(doc, item, new Set(['items']), new Set(['items']));
    if (append && (o.append.size > 0 || o.replace.size > 0)) fail(OVERRIDE_APPEND);
    append ||= o.append.has('items');
    if (append) this.collector.appendList(name, items, loc);
    else this.collector.defineList(name, items, loc);
  }

  private readMacro(doc: Document, item: YAMLMap): void {
    const name = this.scalar(doc, item, 'macro');
    const loc = this.locOf(item);
    if (!MACRO_NAME.test(name)) throw new ItemError(`macro '${name}': Macro name is invalid: it must match ${MACRO_NAME.source}`, item);
    this.warnUnknownKeys(doc, item, MACRO_KEYS, `macro '${name}'`);
    const condition = this.sourceText(doc, item, 'condition');
    let append = this.bool(doc, item, 'append', true) ?? false;
    if (append) this.deprecatedAppend(loc, `macro '${name}'`, 'condition');
    const o = this.overrides(doc, item, new Set(['condition']), new Set(['condition']));
    if (append && (o.append.size > 0 || o.replace.size > 0)) throw new ItemError(`macro '${name}': ${OVERRIDE_APPEND}`, item);
    append ||= o.append.has('condition');
    if (append) this.collector.appendMacro(name, condition, loc);
    else this.collector.defineMacro(name, condition, loc);
  }

  private deprecatedAppend(loc: Loc, what: string, key: string): void {
    this.collector.problem('info', loc, `${what}: 'append: true' is deprecated upstream; 'override: {${key}: append}' says the same`);
  }

  private priority(doc: Document, item: YAMLMap): FalcoPriority {
    const text = this.scalar(doc, item, 'priority');
    const p = parsePriority(text);
    if (p === undefined) throw new ItemError(`Invalid priority '${text}'`, get(doc, item, 'priority'));
    return p;
  }

  private tags(doc: Document, item: YAMLMap): Set<string> {
    return new Set(this.strings(doc, item, 'tags', true) ?? []);
  }

  private readRule(doc: Document, item: YAMLMap): void {
    const name = this.scalar(doc, item, 'rule');
    const loc = this.locOf(item);
    try {
      this.readRuleBody(doc, item, name, loc);
    } catch (err: unknown) {
      if (err instanceof ItemError && !err.message.startsWith(`rule '`)) throw new ItemError(`rule '${name}': ${err.message}`, err.node);
      throw err;
    }
  }

  private readRuleBody(doc: Document, item: YAMLMap, name: string, loc: Loc): void {
    this.warnUnknownKeys(doc, item, RULE_KEYS, `rule '${name}'`);
    const has = (key: string): boolean => get(doc, item, key) !== undefined;
    const appendFlag = this.bool(doc, item, 'append', true) ?? false;
    if (appendFlag) this.deprecatedAppend(loc, `rule '${name}'`, 'condition');
    const o = this.overrides(doc, item, RULE_APPENDABLE, RULE_REPLACEABLE);
    const hasOverrides = o.append.size > 0 || o.replace.size > 0;
    if (appendFlag && hasOverrides) throw new ItemError(OVERRIDE_APPEND, item);
    if (hasOverrides) {
      const expected = new Set([...RULE_APPENDABLE, ...RULE_REPLACEABLE].filter(has));
      const take = (set: Set<string>, kind: string, key: string): boolean => {
        if (!set.has(key)) return false;
        if (!expected.has(key)) throw new ItemError(`An ${kind} override for '${key}' was specified but '${key}' is not defined`, item);
        expected.delete(key);
        return true;
      };
      const update = (set: Set<string>, kind: 'append' | 'replace'): RuleUpdate => {
        const u: RuleUpdate = { name, loc };
        if (take(set, kind, 'condition')) u.condition = this.sourceText(doc, item, 'condition');
        if (take(set, kind, 'exceptions')) u.exceptions = this.exceptions(doc, item, true);
        if (take(set, kind, 'output')) u.output = this.scalar(doc, item, 'output').trim();
        if (take(set, kind, 'desc')) u.desc = this.scalar(doc, item, 'desc');
        if (take(set, kind, 'tags')) u.tags = this.tags(doc, item);
        if (take(set, kind, 'priority')) u.priority = this.priority(doc, item);
        if (take(set, kind, 'enabled')) u.enabled = this.bool(doc, item, 'enabled');
        if (take(set, kind, 'warn_evttypes')) this.bool(doc, item, 'warn_evttypes');
        if (take(set, kind, 'skip-if-unknown-filter')) u.skipIfUnknownFilter = this.bool(doc, item, 'skip-if-unknown-filter');
        return u;
      };
      const appended = o.append.size > 0 ? update(o.append, 'append') : undefined;
      const replaced = o.replace.size > 0 ? update(o.replace, 'replace') : undefined;
      const left = [...expected][0];
      if (left !== undefined)
        throw new ItemError(`Unexpected key '${left}': no corresponding entry under 'override' is defined.`, get(doc, item, left));
      if (appended !== undefined) this.collector.appendRule(appended, this.knownField);
      if (replaced !== undefined) this.collector.replaceRule(replaced, this.knownField);
      return;
    }
    if (appendFlag) {
      const u: RuleUpdate = { name, loc };
      if (has('condition')) u.condition = this.sourceText(doc, item, 'condition');
      if (has('exceptions')) u.exceptions = this.exceptions(doc, item, true);
      this.collector.appendRule(u, this.knownField);
      return;
    }
    if (!has('condition') && !has('output') && !has('desc') && !has('priority')) {
      // An entry that only switches a rule on or off.
      const enabled = this.bool(doc, item, 'enabled');
      this.collector.problem(
        'info',
        loc,
        `rule '${name}': an entry with only 'enabled' is deprecated upstream; 'override: {enabled: replace}' says the same`,
      );
      this.collector.enableRule(name, enabled, loc);
      return;
    }
    const condition = this.sourceText(doc, item, 'condition');
    const output = this.scalar(doc, item, 'output').trim();
    const outputLoc = this.locOf(get(doc, item, 'output'), loc);
    const desc = this.scalar(doc, item, 'desc');
    const priority = this.priority(doc, item);
    this.collector.defineRule(
      {
        name,
        condition,
        output,
        outputLoc,
        desc,
        priority,
        source: this.scalar(doc, item, 'source', true) ?? 'syscall',
        enabled: this.bool(doc, item, 'enabled', true) ?? true,
        tags: this.tags(doc, item),
        exceptions: this.exceptions(doc, item, false),
        skipIfUnknownFilter: this.bool(doc, item, 'skip-if-unknown-filter', true) ?? false,
        loc,
      },
      this.knownField,
    );
    if (has('warn_evttypes')) this.bool(doc, item, 'warn_evttypes');
  }

  /** read_rule_exceptions. */
  private exceptions(doc: Document, item: YAMLMap, append: boolean): ExceptionInfo[] {
    const exs = get(doc, item, 'exceptions');
    if (exs === undefined || isNull(exs)) return [];
    if (!isSeq(exs)) throw new ItemError('Rule exceptions must be a sequence', exs);
    const out: ExceptionInfo[] = [];
    for (const raw of exs.items) {
      const ex = this.resolve(doc, raw);
      if (!isMap(ex)) throw new ItemError('Rule exception must be a mapping', ex);
      const name = this.scalar(doc, ex, 'name');
      if (out.some((e) => e.name === name))
        throw new ItemError(`exception '${name}': Exceptions names in the same object must be unique`, ex);
      const loc = this.locOf(ex);
      const fieldsNode = get(doc, ex, 'fields');
      if (fieldsNode === undefined && !append) throw new ItemError(`exception '${name}': Item has no mapping for key 'fields'`, ex);
      const info: ExceptionInfo = {
        name,
        fields: fieldsNode === undefined ? undefined : this.entry(doc, fieldsNode, name),
        comps: get(doc, ex, 'comps') === undefined ? undefined : this.entry(doc, get(doc, ex, 'comps'), name),
        values: [],
        loc,
      };
      const values = get(doc, ex, 'values');
      if (values !== undefined) {
        if (!isSeq(values)) throw new ItemError(`exception '${name}': Rule exception values must be a sequence`, values);
        for (const v of values.items) info.values.push(this.entry(doc, v, name));
      } else if (append) this.collector.problem('warning', loc, `exception '${name}': Overriding/appending exception with no values`);
      out.push(info);
    }
    return out;
  }

  /** decode_exception_info_entry: a non-empty scalar, or a sequence of entries. */
  private entry(doc: Document, raw: unknown, exception: string): ExceptionEntry {
    const node = this.resolve(doc, raw);
    if (isScalar(node) && !isNull(node)) {
      const item = String(node.value);
      if (item === '') throw new ItemError(`exception '${exception}': Value must be non-empty`, node);
      return { isList: false, item };
    }
    if (isSeq(node)) return { isList: true, items: node.items.map((v) => this.entry(doc, v, exception)) };
    throw new ItemError(`exception '${exception}': expected a string or a list of strings`, node);
  }
}

const OVERRIDE_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

function isNull(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.type === 'PLAIN' && ['', '~', 'null', 'Null', 'NULL'].includes(String(node.value));
}

/** The value of `key` in a mapping (aliases resolved); undefined when the key is absent. */
function get(doc: Document, map: YAMLMap, key: string): unknown {
  for (const pair of map.items) {
    const k = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
    if (isScalar(k) && String(k.value) === key) {
      const v = pair.value;
      return isAlias(v) ? v.resolve(doc) : (v ?? null);
    }
  }
  return undefined;
}

/**
 * Read one Falco rules file into the collector, item by item, as Falco's rule loader reads it: a
 * YAML list of `required_engine_version`, `required_plugin_versions`, `list`, `macro` and `rule`
 * items. YAML that does not parse skips the file; a bad item is reported and skipped.
 */
export function readFalcoRuleFile(text: string, file: string, collector: FalcoCollector, knownField: (name: string) => boolean): void {
  new FileReader(text, file, collector, knownField).read();
}
