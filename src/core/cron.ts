// Cron schedules as the CronJob controller reads them (robfig/cron/v3 ParseStandard): five fields or a
// descriptor, an optional TZ=/CRON_TZ= prefix, and Next() walking wall-clock fields in the schedule's time
// zone. The parse errors are robfig's text (the API's validator reports the same ones).

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** One field's allowed values; `star` when it was `*` or `?` without a step above 1 (robfig's starBit). */
interface Field {
  values: Set<number>;
  star: boolean;
}

export interface CronSchedule {
  /** The time zone the fields are read in (IANA name; 'UTC' when none was given). */
  readonly timeZone: string;
  /** The first activation strictly after `afterMs`, or undefined when none comes within five years. */
  next(afterMs: number): number | undefined;
}

/** Go's strconv.Atoi: optional sign and decimal digits. */
function atoi(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) {
    throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  }
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, names: Record<string, number> | undefined): number {
  return names?.[expr.toLowerCase()] ?? atoi(expr);
}

/** One comma-separated term: `*`, `?`, `a`, `a-b`, with an optional `/step` (robfig getRange). */
function addRange(expr: string, r: Bounds, into: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0]!, r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, r.names);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (singleDigit) end = r.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < r.min) throw new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  if (star) into.star = true;
}

function parseField(text: string, r: Bounds): Field {
  const f: Field = { values: new Set(), star: false };
  for (const term of text.split(',')) addRange(term, r, f);
  return f;
}

/** Go's time.ParseDuration for `@every`, in milliseconds. */
function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m) return undefined;
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1000,
    m: MINUTE_MS,
    h: HOUR_MS,
  };
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unit[part[2]!]!;
  }
  return m[1] === '-' ? -total : total;
}

/** Whether `zone` is an IANA time zone the runtime knows (Go's time.LoadLocation). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === 'UTC' || zone === '') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The process's own time zone (what robfig calls time.Local). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Parses a schedule; throws robfig's error text. Without a TZ= prefix the fields are read in `defaultZone`
 * (upstream: the controller manager's local time).
 */
export function parseCronSchedule(spec: string, defaultZone = 'UTC'): CronSchedule {
  if (spec.length === 0) throw new Error('empty spec string');
  let rest = spec;
  let zone = defaultZone;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    zone = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isKnownTimeZone(zone)) throw new Error(`provided bad location ${zone}: unknown time zone ${zone}`);
    rest = space < 0 ? '' : rest.slice(space).trim();
  }
  if (rest.startsWith('@')) {
    if (rest.startsWith('@every ')) {
      const text = rest.slice('@every '.length);
      const ms = parseGoDuration(text);
      if (ms === undefined) {
        throw new Error(`failed to parse duration ${rest}: time: invalid duration ${JSON.stringify(text)}`);
      }
      return everySchedule(ms, zone);
    }
    const fields = DESCRIPTORS[rest];
    if (!fields) throw new Error(`unrecognized descriptor: ${rest}`);
    rest = fields;
  }
  const fields = rest.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]!)) as [
    Field,
    Field,
    Field,
    Field,
    Field,
  ];
  return fieldSchedule({ minute, hour, dom, month, dow }, zone);
}

/** robfig ConstantDelaySchedule: whole seconds, at least one; next = t + delay, on a whole second. */
function everySchedule(ms: number, zone: string): CronSchedule {
  const delay = Math.max(1000, ms - (ms % 1000));
  return {
    timeZone: zone === '' ? 'UTC' : zone,
    next: (after) => after - (after % 1000) + delay,
  };
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock fields of an instant in a zone. */
export function wallClock(ms: number, zone: string): Wall {
  if (zone === 'UTC' || zone === '') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function zoneOffsetMs(ms: number, zone: string): number {
  if (zone === 'UTC' || zone === '') return 0;
  const w = wallClock(ms, zone);
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/** Go's time.Date in a zone: the instant of a wall time (day and month may overflow); a skipped time lands after the gap. */
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  if (zone === 'UTC' || zone === '') return asUtc;
  const first = asUtc - zoneOffsetMs(asUtc, zone);
  return asUtc - zoneOffsetMs(first, zone);
}

/** Go's RFC3339 in a zone: `2006-01-02T15:04:05-07:00`, `Z` when the offset is zero. */
export function formatRfc3339InZone(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  const p = (n: number, len = 2) => String(n).padStart(len, '0');
  const offsetMin = Math.round(zoneOffsetMs(ms, zone) / MINUTE_MS);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 ? 'Z' : `${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}${offset}`;
}

interface Fields {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

/** robfig dayMatches: with either day field a star both must match, else either may. */
function dayMatches(f: Fields, w: Wall): boolean {
  const domMatch = f.dom.values.has(w.day);
  const dowMatch = f.dow.values.has(w.weekday);
  if (f.dom.star || f.dow.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

/**
 * robfig SpecSchedule.Next: months and days step in wall time (to the next month or day at midnight), hours
 * and minutes in absolute time, so a skipped hour is skipped and a repeated one is run twice, as upstream.
 */
function fieldSchedule(f: Fields, zone: string): CronSchedule {
  const tz = zone === '' ? 'UTC' : zone;
  return {
    timeZone: tz,
    next(after) {
      let t = after - (((after % MINUTE_MS) + MINUTE_MS) % MINUTE_MS) + MINUTE_MS;
      const yearLimit = wallClock(t, tz).year + 5;
      const advance = (to: number) => {
        // A zone transition at midnight can map the jump back onto the current time: always move on.
        t = to > t ? to : t + MINUTE_MS;
      };
      for (;;) {
        const w = wallClock(t, tz);
        if (w.year > yearLimit) return undefined;
        if (!f.month.values.has(w.month)) {
          advance(zonedInstant(w.year, w.month + 1, 1, 0, 0, tz));
          continue;
        }
        if (!dayMatches(f, w)) {
          advance(zonedInstant(w.year, w.month, w.day + 1, 0, 0, tz));
          continue;
        }
        if (!f.hour.values.has(w.hour)) {
          advance(t - w.minute * MINUTE_MS - w.second * 1000 + HOUR_MS);
          continue;
        }
        if (!f.minute.values.has(w.minute)) {
          advance(t - w.second * 1000 + MINUTE_MS);
          continue;
        }
        return t;
      }
    },
  };
}
