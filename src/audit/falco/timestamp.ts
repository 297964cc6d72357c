const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Nanoseconds since the epoch of an RFC 3339 timestamp, as a decimal string (the value does not fit
 * a double), read the way the k8saudit plugin reads `stageTimestamp` (Go's `time.Parse(RFC3339Nano)`):
 * `T` and `Z` upper case, any fraction length, a numeric offset allowed, fields range-checked.
 * Undefined when it does not parse (Falco then drops the event).
 */
export function rfc3339Nanos(text: string): string | undefined {
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
  return (BigInt(seconds) * 1_000_000_000n + BigInt(fraction)).toString();
}
