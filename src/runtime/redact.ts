/** What replaces a secret value in a command line or an output line. */
export const REDACTED = '<redacted>';

// Values that commonly carry credentials on a command line: `--password=x`, `--token x`, `-p x`-style
// flags of well-known names, `PASSWORD=x` environment assignments, `Authorization: Bearer x`, and the
// password of a URL (`https://user:password@host`). A process's arguments are visible to Falco, so
// they reach Vigil; they are redacted before anything is stored, printed or sent.
const FLAG = /(--?[\w.-]*(?:password|passwd|pwd|token|secret|api[-_]?key|access[-_]?key|credential)[\w.-]*)([=\s]+)("[^"]*"|'[^']*'|\S+)/gi;
const ENV = /\b([A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|ACCESS_KEY)[A-Z0-9_]*)=(\S+)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

// Cheap test first: most command lines name none of these, and then no replacement can apply.
const CANDIDATE = /pass|pwd|token|secret|key|credential|bearer|basic|@/i;

/** The text with credential-looking values replaced by `<redacted>`. */
export function redactCommandLine(text: string): string {
  if (!CANDIDATE.test(text)) return text;
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(FLAG, (_whole, flag: string, sep: string) => `${flag}${sep}${REDACTED}`)
    .replace(ENV, (_whole, name: string) => `${name}=${REDACTED}`);
}
