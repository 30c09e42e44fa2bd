/**
 * Reads Cx's TokenExpiry. WCF writes a local DateTime with seven fractional digits and the
 * server's UK offset (`2023-06-01T19:00:16.5718655+01:00`); sometimes without an offset, which
 * then means UK local time. Returns epoch milliseconds, or undefined when it cannot be read (the
 * token is then used until Cx rejects it).
 */
export function parseTokenExpiry(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0', zone] = m;
  const ms = Number(`0.${frac}`) * 1000;
  const asUtc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) + Math.floor(ms);
  if (Number.isNaN(asUtc)) return undefined;
  if (zone === 'Z') return asUtc;
  if (zone) {
    const sign = zone[0] === '-' ? -1 : 1;
    return asUtc - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60000;
  }
  // No offset: UK local time. Guess with the offset at that instant, then correct once.
  const first = asUtc - londonOffsetMs(asUtc);
  return asUtc - londonOffsetMs(first);
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Europe/London's offset from UTC at an instant, in ms (0 in winter, 3,600,000 in summer). */
export function londonOffsetMs(epochMs: number): number {
  const p = Object.fromEntries(londonParts.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return local - Math.floor(epochMs / 1000) * 1000;
}
