const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of the proleptic Gregorian calendar, as Go's time package counts them. */
function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
}

/**
 * Nanoseconds since the epoch of an RFC 3339 timestamp, as a decimal string (the value does not fit
 * a double), read the way the k8saudit plugin reads `stageTimestamp` (Go's `time.Parse(RFC3339Nano)`):
 * `T` and `Z` upper case, any fraction length, a numeric offset allowed, fields range-checked.
 * Undefined when it does not parse (Falco then drops the event).
 */
export function rfc3339Nanos(text: string): string | undefined {
  const t = parseRfc3339(text);
  return t === undefined ? undefined : nanosOf(t);
}

/** A timestamp that parsed: whole seconds since the epoch and the nine-digit fraction. */
export interface Rfc3339Time {
  readonly seconds: number;
  readonly fraction: string;
}

/** Nanoseconds since the epoch, as a decimal string (BigInt arithmetic: kept for when a rule asks). */
export function nanosOf(time: Rfc3339Time): string {
  return (BigInt(time.seconds) * 1_000_000_000n + BigInt(time.fraction)).toString();
}

/** The checks of `rfc3339Nanos` without the BigInt arithmetic; undefined when the text does not parse. */
export function parseRfc3339(text: string): Rfc3339Time | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
  const fraction = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  return { seconds, fraction };
}
