/**
 * Detection of credentials written as plain text into configuration: env var values, command-line
 * arguments and ConfigMap data. It says where a credential is and what kind it looks like, never what
 * it is: callers get a kind and a label, not the matched text.
 *
 * Three signals, strongest first:
 * - well-known token formats (PEM private keys, cloud access keys, Git host tokens, JWTs, URLs with a
 *   password), wherever they appear;
 * - a literal value under a name that says it holds a secret (`DB_PASSWORD`, `apiKey`, `client_secret`);
 * - a random-looking value (Shannon entropy) under a name that hints at one (`session_key`, `salt`).
 */
import { z } from 'zod';

/** What a match looks like it is. Stable strings: they appear in messages and tests. */
export type CredentialKind =
  | 'private-key'
  | 'aws-access-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'google-api-key'
  | 'stripe-key'
  | 'npm-token'
  | 'azure-storage-key'
  | 'jwt'
  | 'url-password'
  | 'custom-pattern'
  | 'sensitive-name'
  | 'high-entropy';

/** One credential found: its kind, a phrase for people, and where in a multi-line value it starts. */
export interface CredentialMatch {
  readonly kind: CredentialKind;
  /** `a private key (PEM block)`, `a value under a password-like name`. Never the value. */
  readonly label: string;
  /** 1-based line inside the value, for multi-line values. */
  readonly line?: number;
  /** The property name inside a file-like value (`spring.datasource.password`), when that is what matched. */
  readonly property?: string;
  /** Token formats and private keys are certain; names and entropy are likely. */
  readonly confidence: 'certain' | 'likely';
}

interface TokenFormat {
  readonly kind: Exclude<CredentialKind, 'sensitive-name' | 'high-entropy' | 'custom-pattern' | 'url-password'>;
  readonly label: string;
  readonly pattern: RegExp;
}

/**
 * Token formats with a fixed, documented shape. Sources: RFC 7468 (PEM labels), AWS IAM identifier
 * prefixes, GitHub and GitLab token-format announcements, Slack token types, Google API keys, Stripe
 * secret/restricted keys, npm access tokens, Azure storage connection strings, RFC 7519 (JWT).
 */
const TOKEN_FORMATS: readonly TokenFormat[] = [
  { kind: 'private-key', label: 'a private key (PEM block)', pattern: /-{3,}\s*BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?\s*-{3,}/ },
  { kind: 'aws-access-key', label: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
  { kind: 'github-token', label: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'gitlab-token', label: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: 'slack-token', label: 'a Slack token', pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/ },
  {
    kind: 'slack-webhook',
    label: 'a Slack webhook URL',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{8,}/,
  },
  { kind: 'google-api-key', label: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'stripe-key', label: 'a Stripe secret key', pattern: /\b(?:sk|rk)_live_[0-9a-zA-Z]{24,}\b/ },
  { kind: 'npm-token', label: 'an npm access token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'azure-storage-key', label: 'an Azure storage account key', pattern: /AccountKey=[A-Za-z0-9+/]{40,}={0,2}/ },
  { kind: 'jwt', label: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

const PRIVATE_KEY = (TOKEN_FORMATS[0] as TokenFormat).pattern;

/** True when a text contains a PEM private-key block. */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/** `scheme://user:password@host`: the password part is captured to tell real ones from references. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:/?#@"'`]*:([^\s@/?#"'`]+)@[^\s"'`]/gi;

/** Words that on their own say a name holds a secret (matched against the words of the name). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'creds',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'clientsecret',
  'bearer',
  'jwt',
  'connectionstring',
]);

/** Single words that end in a secret word (`dbpassword`, `authtoken`) or are one in some software (`requirepass` in redis.conf). */
const SECRET_WORD_SUFFIX = /(?:password|passwd|passphrase|secret|token|apikey|privatekey|secretkey|accesskey)$/;
const SECRET_WORDS_OF_SOFTWARE = new Set(['requirepass', 'masterauth', 'masterpass', 'rootpw', 'bindpw']);

function isSecretWord(word: string): boolean {
  return SECRET_WORDS.has(word) || SECRET_WORDS_OF_SOFTWARE.has(word) || SECRET_WORD_SUFFIX.test(word);
}

/** A `key` preceded by one of these is a secret key (`api_key`, `encryption_key`, `AZURE_BATCH_KEY`). */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'client',
  'auth',
  'encryption',
  'signing',
  'master',
  'session',
  'storage',
  'account',
  'shared',
  'hmac',
  'app',
  'consumer',
  'subscription',
  'batch',
  'admin',
  'root',
  'service',
  'webhook',
  'license',
  'azure',
]);

/** Words that hint at a secret without saying so: only a random-looking value makes them a finding. */
const HINT_WORDS = new Set(['key', 'salt', 'auth', 'cookie', 'signature', 'seed', 'nonce', 'hash']);

/**
 * A name ending in one of these words names something about a secret, not the secret itself
 * (`PASSWORD_FILE`, `token_url`, `secretName`, `secret_key_ref`, `access_key_id`).
 */
const NOT_A_VALUE = new Set([
  'name',
  'names',
  'ref',
  'reference',
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'directory',
  'filename',
  'location',
  'mount',
  'url',
  'uri',
  'endpoint',
  'host',
  'port',
  'header',
  'type',
  'mode',
  'enabled',
  'enable',
  'disabled',
  'required',
  'ttl',
  'expiry',
  'expiration',
  'expires',
  'lifetime',
  'timeout',
  'duration',
  'interval',
  'length',
  'size',
  'format',
  'version',
  'policy',
  'provider',
  'issuer',
  'audience',
  'algorithm',
  'method',
  'prefix',
  'suffix',
  'field',
  'id',
  'namespace',
  'store',
  'class',
  'key', // `secret_key` is caught by the qualifier rule; `password_key` is the key *under which* a password is
  'keys',
  'selector',
  'label',
  'annotation',
  'template',
  'regex',
  'pattern',
  'hint',
  'reset',
  'rotation',
  'min',
  'max',
  'count',
  'retries',
  'user',
  'username',
  'env',
  'var',
]);

/** Words that say the named thing is public: `public_key`, `publishable_key`. */
const PUBLIC_WORDS = new Set(['public', 'publishable', 'pub']);

/** After `key`, these say the name holds the key itself: `OCI_CLI_KEY_CONTENT`, `signing_key_pem`. */
const KEY_CONTENT_WORDS = new Set(['content', 'contents', 'data', 'material', 'pem', 'value', 'b64', 'base64']);

/**
 * Before a final `secret`, these say the name holds the *name* of a Kubernetes Secret, not a secret
 * (`existingSecret`, `TLS_SECRET`, `imagePullSecret`): charts and operators are full of them.
 */
const SECRET_OBJECT_QUALIFIERS = new Set([
  'existing',
  'tls',
  'ca',
  'cert',
  'certificate',
  'certs',
  'pull',
  'image',
  'sealed',
  'external',
  'kubernetes',
  'kube',
  'k8s',
  'docker',
  'registry',
  'webhook',
]);

/** The words of a name: `DB_PASSWORD` → db, password; `clientSecret` → client, secret; `api-key` → api, key. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

export type NameSignal = 'secret' | 'hint' | 'none';

/** What a name says about its value. */
export function nameSignal(name: string): NameSignal {
  const words = wordsOf(name);
  if (words.length === 0) return 'none';
  if (words.some((w) => PUBLIC_WORDS.has(w))) return 'none';
  const last = words[words.length - 1] as string;
  let secret = false;
  let hint = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (isSecretWord(word)) secret = true;
    else if (word === 'key') {
      const before = words[i - 1];
      const after = words[i + 1];
      if ((before !== undefined && KEY_QUALIFIERS.has(before)) || (after !== undefined && KEY_CONTENT_WORDS.has(after))) secret = true;
      else hint = true;
    } else if (HINT_WORDS.has(word)) hint = true;
  }
  if ((last === 'secret' || last === 'secrets') && words.length > 1 && SECRET_OBJECT_QUALIFIERS.has(words[words.length - 2] as string)) {
    return 'none';
  }
  // `secret_key` and `api_key` end in `key` but are the secret; other names ending in a not-a-value
  // word describe one (`password_file`, `token_url`, `access_key_id`).
  const qualifiedKey = last === 'key' && words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 2] as string);
  if (NOT_A_VALUE.has(last) && !qualifiedKey && !(words.length === 1 && last === 'key')) return 'none';
  if (secret) return 'secret';
  return hint ? 'hint' : 'none';
}

const REFERENCE = [
  /^\$\(.+\)$/, // Kubernetes env var expansion: $(VAR)
  /^\$\{.+\}$/, // shell / envsubst / Spring placeholders
  /^\$[A-Za-z_][A-Za-z0-9_]*$/,
  /^\{\{.*\}\}$/s, // templates
  /^%\(.+\)s$/,
  /^<[^<>]+>$/, // documentation placeholders: <your-password>
  /^ENC\[/, // SOPS-encrypted value
  /^(?:vault|ref\+[a-z]+|secretref|awssm|gcpsm|azkv|op):/i, // secret-store references (Vault, vals, 1Password …)
  /^arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):/,
  /^projects\/[^/]+\/secrets\//, // GCP Secret Manager resource names
  /^\*+$/, // masked
  /^`.*`$/s, // shell command substitution
  /^__[A-Za-z0-9_]+__$/, // install-time substitution markers: __SERVICEACCOUNT_TOKEN__
  /^@[A-Za-z0-9_]+@$/, // autoconf-style markers
];

/** In a configuration file or script, a value computed at run time: `os.environ["X"]`, `getenv("X")`, `process.env.X`. */
const EXPRESSION = /^[A-Za-z_][\w.]*\s*[([]|\b(?:environ|getenv|process\.env|System\.getenv|ENV\[)/;

/** nsswitch.conf service lists (`passwd: files sss`): `passwd` there names a database, not a password. */
const NSSWITCH_SOURCES =
  /^(?:(?:files|compat|db|nis|nisplus|ldap|sss|systemd|winbind|dns|mdns\S*|myhostname|resolve|hesiod|\[[^\]]+\])\s*)+$/;

const PATH = /^(?:\/|\.{1,2}\/|~\/|file:\/\/|[A-Za-z]:\\)/;
const TRIVIAL = /^(?:true|false|yes|no|on|off|enabled?|disabled?|none|null|nil|required|optional|auto|default|changeit-me|\s*)$/i;
const NUMBER_OR_DURATION = /^-?\d+(?:\.\d+)?(?:ms|s|m|h|d|w|[kKMGT]i?[bB]?)?$/;

/** True when a value under a secret-sounding name is not itself a secret: empty, a reference, a path, a toggle, a number. */
export function isNotALiteralSecret(value: string): boolean {
  const v = value.trim();
  if (v === '' || TRIVIAL.test(v) || NUMBER_OR_DURATION.test(v) || PATH.test(v)) return true;
  return REFERENCE.some((r) => r.test(v));
}

/** True when a value is empty or stands for a value filled in elsewhere (a reference, a template, an encrypted blob). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === '' || REFERENCE.some((r) => r.test(v));
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const TOKENISH = /^[A-Za-z0-9+/=_\-.~]+$/;

/**
 * True when a value looks like machine-generated key material: one token of 16+ characters from a
 * base64/hex/URL-safe alphabet, mixing letters and digits, with high entropy for its length.
 */
export function looksRandom(value: string): boolean {
  const v = value.trim();
  if (v.length < 16 || v.length > 512 || !TOKENISH.test(v)) return false;
  if (!/[A-Za-z]/.test(v) || !/\d/.test(v)) return false;
  // A dotted version or host name is not key material.
  if (/^[\w-]+(?:\.[\w-]+){2,}$/.test(v) && !/[A-Z]/.test(v)) return false;
  const entropy = shannonEntropy(v);
  // Random hex tops out at 4 bits per character, base64 at 6; short strings cannot reach either.
  const threshold = /^[0-9a-f]+$/i.test(v) ? 3.0 : Math.min(4.0, Math.log2(v.length) - 0.5);
  return entropy >= threshold;
}

/** Options shared by the credential checks: extra and allowed patterns (case-insensitive regular expressions). */
const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);

export const credentialOptions = z
  .object({
    /** Extra names (patterns) whose literal values count as credentials. */
    names: z.array(regexSource).default([]),
    /** Extra value patterns that count as credentials wherever they appear. */
    values: z.array(regexSource).default([]),
    /** Names (patterns) never reported, such as `_FILE$`. */
    allowNames: z.array(regexSource).default([]),
    /** Values (patterns) never reported, such as a known non-secret path. */
    allowValues: z.array(regexSource).default([]),
    /** Report random-looking values under names that hint at a key (`session_key`, `salt`). */
    entropy: z.boolean().default(true),
  })
  .strict();

export type CredentialOptions = z.infer<typeof credentialOptions>;

/** Compiled form of the options, built once per options object. */
interface Compiled {
  readonly names: readonly RegExp[];
  readonly values: readonly RegExp[];
  readonly allowNames: readonly RegExp[];
  readonly allowValues: readonly RegExp[];
  readonly entropy: boolean;
}

const compiledCache = new WeakMap<CredentialOptions, Compiled>();

function compile(options: CredentialOptions): Compiled {
  let compiled = compiledCache.get(options);
  if (compiled === undefined) {
    const re = (sources: readonly string[]): RegExp[] => sources.map((s) => new RegExp(s, 'i'));
    compiled = {
      names: re(options.names),
      values: re(options.values),
      allowNames: re(options.allowNames),
      allowValues: re(options.allowValues),
      entropy: options.entropy,
    };
    compiledCache.set(options, compiled);
  }
  return compiled;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Token formats and custom value patterns anywhere in a value. */
function formatMatches(value: string, compiled: Compiled, multiLine: boolean): CredentialMatch[] {
  const out: CredentialMatch[] = [];
  const at = (index: number): { line?: number } => (multiLine ? { line: lineOfOffset(value, index) } : {});
  for (const format of TOKEN_FORMATS) {
    const m = format.pattern.exec(value);
    if (m !== null) out.push({ kind: format.kind, label: format.label, confidence: 'certain', ...at(m.index) });
  }
  URL_WITH_PASSWORD.lastIndex = 0;
  for (let m = URL_WITH_PASSWORD.exec(value); m !== null; m = URL_WITH_PASSWORD.exec(value)) {
    const password = m[1] ?? '';
    if (!isNotALiteralSecret(password) && !/^(?:password|pass|passwd|secret|x+|\.+)$/i.test(password)) {
      out.push({ kind: 'url-password', label: 'a URL with an embedded password', confidence: 'certain', ...at(m.index) });
      break;
    }
  }
  for (const pattern of compiled.values) {
    const m = pattern.exec(value);
    if (m !== null) {
      out.push({ kind: 'custom-pattern', label: 'a value matching a configured credential pattern', confidence: 'likely', ...at(m.index) });
      break;
    }
  }
  return out;
}

function isAllowedName(name: string, compiled: Compiled): boolean {
  return compiled.allowNames.some((r) => r.test(name));
}

function isAllowedValue(value: string, compiled: Compiled): boolean {
  return compiled.allowValues.some((r) => r.test(value));
}

/** What a name-and-value pair holds, judged by the name (no token formats). */
function nameMatch(name: string, value: string, compiled: Compiled): CredentialMatch | undefined {
  if (isAllowedName(name, compiled)) return undefined;
  const custom = compiled.names.some((r) => r.test(name));
  const signal = nameSignal(name);
  if (signal === 'secret' || custom) {
    if (isNotALiteralSecret(value) || isOwnName(name, value)) return undefined;
    return { kind: 'sensitive-name', label: `a literal value under a credential name`, confidence: 'likely' };
  }
  if (signal === 'hint' && compiled.entropy && looksRandom(value)) {
    return { kind: 'high-entropy', label: 'a random-looking value under a key-like name', confidence: 'likely' };
  }
  return undefined;
}

/** `HF_TOKEN=HF_TOKEN`: a value that repeats its own name is a placeholder left to be filled in. */
function isOwnName(name: string, value: string): boolean {
  const normalise = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return normalise(name) !== '' && normalise(name) === normalise(value);
}

/** A `name = value` / `name: value` / `"name": "value"` line of a properties, YAML, JSON or .env file. */
const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t.startsWith('"') || t.startsWith("'")) && t.endsWith(t[0] as string)) return t.slice(1, -1);
  return t;
}

/**
 * Credentials in one named value: an env var, an argument, a ConfigMap key. Multi-line values (files
 * in a ConfigMap) are also read line by line as properties, so `spring.datasource.password=…` inside
 * `application.properties` is found with its line.
 */
export function findCredentials(name: string, value: string, options: CredentialOptions): CredentialMatch[] {
  const compiled = compile(options);
  if (isAllowedName(name, compiled) || isAllowedValue(value, compiled)) return [];
  const multiLine = value.includes('\n');
  const out = formatMatches(value, compiled, multiLine);
  if (!multiLine) {
    const byName = nameMatch(name, value, compiled);
    if (byName !== undefined) out.push(byName);
    return out;
  }
  // A multi-line value under a credential name is itself the credential (a key file, a netrc).
  if (nameSignal(name) === 'secret' && out.length === 0 && !isAllowedName(name, compiled)) {
    out.push({ kind: 'sensitive-name', label: 'a literal value under a credential name', confidence: 'likely' });
  }
  const lines = value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = ASSIGNMENT.exec(lines[i] as string);
    if (m === null) continue;
    const property = m[1] as string;
    // Shell and config syntax around the value: line continuations, statement and list separators.
    const raw = unquote((m[2] ?? '').replace(/\s*\\$/, '').replace(/[;,]+$/, ''));
    if (raw === '' || raw === '|' || raw === '>' || raw.startsWith('{') || raw.startsWith('[')) continue;
    if (isAllowedValue(raw, compiled) || EXPRESSION.test(raw) || NSSWITCH_SOURCES.test(raw)) continue;
    const found = nameMatch(property, raw, compiled);
    if (found !== undefined) out.push({ ...found, line: i + 1, property });
  }
  return out;
}

/** Matches reduced to one per kind (and per property), in a stable order, for reporting. */
export function distinctMatches(matches: readonly CredentialMatch[]): CredentialMatch[] {
  const seen = new Set<string>();
  const out: CredentialMatch[] = [];
  for (const m of matches) {
    const key = `${m.kind}\u0000${m.property ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}
