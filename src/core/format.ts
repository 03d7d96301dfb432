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

/** A moment as wall-clock time in an IANA zone, to the minute: 2025-06-02 02:00. */
export function formatZonedTime(moment: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(moment)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

function assertMeasurement(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
}

function roundTenths(value: number): number {
  return Math.round(value * 10) / 10;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
