// Cx runs on a UK server and WCF writes a local DateTime with the server's offset and seven
// fractional digits (2023-06-01T19:00:16.5718655+01:00). Europe/London is +00:00 in winter and
// +01:00 in summer; Intl knows the rules so we never hard-code them.

const london = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface LocalParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function londonParts(ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of london.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second };
}

// UK clock changes happen at 01:00 UTC, on the hour, so the offset is constant within a UTC hour;
// caching by hour keeps Intl (slow) out of the loop when 50,000 records are written.
const offsetByHour = new Map<number, number>();

/** Minutes east of UTC in Europe/London at instant ms. */
export function londonOffsetMinutes(ms: number): number {
  const hour = Math.floor(ms / 3600000);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const whole = hour * 3600000;
  const p = londonParts(whole);
  const offset = Math.round((Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - whole) / 60000);
  if (offsetByHour.size > 100000) offsetByHour.clear();
  offsetByHour.set(hour, offset);
  return offset;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** e.g. 2023-06-01T19:00:16.5710000+01:00: milliseconds padded to WCF's seven digits. */
export function formatLondon(ms: number): string {
  const off = londonOffsetMinutes(ms);
  const local = new Date(ms + off * 60000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `.${pad(local.getUTCMilliseconds(), 3)}0000${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
  );
}

/** A London wall-clock time to an instant (the offset that applies at that wall time). */
export function fromLondonLocal(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, msPart = 0): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, msPart);
  let guess = asUtc - londonOffsetMinutes(asUtc) * 60000;
  guess = asUtc - londonOffsetMinutes(guess) * 60000;
  return guess;
}

const DATE_TIME = /^\s*(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?\s*$/;

/**
 * xs:dateTime as WCF's XmlConvert reads it: a date, optional time and fraction, optional zone.
 * Without a zone the value is the server's local (London) time. Returns undefined when invalid.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const msPart = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCDate() !== d) return undefined;
  const zone = m[8];
  if (!zone) return fromLondonLocal(y, mo, d, h, mi, s, msPart);
  const base = Date.UTC(y, mo - 1, d, h, mi, s, msPart);
  if (zone === 'Z') return base;
  const sign = zone[0] === '-' ? -1 : 1;
  const offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return base - offset * 60000;
}

/** Midnight (London) of the day containing ms, plus `days`. */
export function londonDay(ms: number, days = 0, hour = 0, minute = 0): number {
  const p = londonParts(ms);
  const day = new Date(Date.UTC(p.y, p.mo - 1, p.d + days));
  return fromLondonLocal(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hour, minute);
}
