/**
 * Wall-clock parts of an instant in a time zone, and ISO 8601 text with the zone's offset
 * ("2026-11-21T14:05:09+01:00"). Pure: the instant comes in as an argument.
 */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC. */
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function zonedParts(at: Date, timeZone: string): ZonedParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const offset = Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, offset };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2026-11-21T14:05:09+01:00" */
export function isoWithOffset(at: Date, timeZone: string): string {
  const z = zonedParts(at, timeZone);
  const sign = z.offset < 0 ? '-' : '+';
  const off = Math.abs(z.offset);
  return `${z.year}-${pad(z.month)}-${pad(z.day)}T${pad(z.hour)}:${pad(z.minute)}:${pad(z.second)}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`;
}
