/**
 * Human-readable sizes and durations for reports, CLI output and notifications.
 * Inputs are measurements, so a negative or non-finite value is a bug upstream: it throws
 * rather than printing something plausible.
 */
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 512 B, 1.5 MiB, 12 GiB: binary units (what du -h and ls -lh mean), at most one decimal. */
export function formatBytes(bytes: number): string {
  assertMeasurement('bytes', bytes);
  if (Math.round(bytes) < 1024) return `${Math.round(bytes)} B`;
  let unit = 1;
  let value = bytes / 1024;
  // Step up while the value, once rounded, would still print as 1024 or more (1023.96 KiB is "1 MiB").
  while (unit < BINARY_UNITS.length - 1 && roundTenths(value) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${roundTenths(value)} ${BINARY_UNITS[unit]}`;
}

/**
 * A measured duration, exact to the second: 0.4s, 45s, 1m 05s, 2h 03m 04s.
 * Under ten seconds it keeps a tenth, so quick steps do not all read "0s".
 */
export function formatDuration(seconds: number): string {
  assertMeasurement('seconds', seconds);
  const tenths = roundTenths(seconds);
  if (tenths < 10) return `${tenths}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/**
 * A duration to a glance, in its two largest units, rounded down: 45s, 12m 5s, 3h 12m, 2d 4h.
 * Rounding down means a value never reads as more than it is (59m 59s is "59m 59s", not "1h").
 */
export function formatRoughDuration(seconds: number): string {
  assertMeasurement('seconds', seconds);
  const total = Math.floor(seconds);
  const units: Array<[string, number]> = [
    ['d', Math.floor(total / 86_400)],
    ['h', Math.floor((total % 86_400) / 3600)],
    ['m', Math.floor((total % 3600) / 60)],
    ['s', total % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([, n], i) => i === 0 || n > 0)
    .map(([unit, n]) => `${n}${unit}`)
    .join(' ');
}

/**
 * A moment as a person reads it: the wall clock in the configured IANA zone, to the second, with
 * that zone's offset on that day: 2026-12-07 03:04:05 +01:00 in Prague's winter, +02:00 in its
 * summer, +00:00 in UTC. Reports, CLI tables and messages use this; machine formats (JSON output,
 * ids, file names, releases.log) stay UTC ISO. A recorded time that does not parse is shown as
 * recorded: a report of a broken night must still render.
 */
export function formatLocalTime(moment: Date | string, timeZone: string): string {
  const date = typeof moment === 'string' ? new Date(moment) : moment;
  if (Number.isNaN(date.getTime())) return String(moment);
  const p = Object.fromEntries(wallClock(timeZone).formatToParts(date).map((part) => [part.type, part.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  // The offset is what the zone's wall clock is ahead of UTC at this instant (whole seconds on both sides).
  const offsetMinutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = WALL_CLOCKS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, calendar: 'gregory', numberingSystem: 'latn', hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    WALL_CLOCKS.set(timeZone, format);
  }
  return format;
}

/** A formatter per zone: building one costs far more than formatting with it, and a table formats many times. */
const WALL_CLOCKS = new Map<string, Intl.DateTimeFormat>();

function assertMeasurement(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
}

function roundTenths(value: number): number {
  return Math.round(value * 10) / 10;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
