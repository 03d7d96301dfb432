/** One comma-separated part of a cron field: every `step`-th value from `start` to `end`, inclusive. */
export interface CronRange {
  start: number;
  end: number;
  step: number;
}

export interface CronSpec {
  /** The expression with its fields separated by single spaces: what ops sends to Temporal and hashes. */
  text: string;
  minute: CronRange[];
  hour: CronRange[];
  dayOfMonth: CronRange[];
  month: CronRange[];
  /** 0 and 7 are both Sunday. */
  dayOfWeek: CronRange[];
}

interface Field {
  key: Exclude<keyof CronSpec, 'text'>;
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesHint?: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly Field[] = [
  { key: 'minute', label: 'minute', min: 0, max: 59 },
  { key: 'hour', label: 'hour', min: 0, max: 23 },
  { key: 'dayOfMonth', label: 'day-of-month', min: 1, max: 31 },
  { key: 'month', label: 'month', min: 1, max: 12, names: MONTH_NAMES, namesHint: 'JAN-DEC' },
  { key: 'dayOfWeek', label: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, namesHint: 'SUN-SAT' },
];

/**
 * Parses a classic 5-field cron expression (minute hour day-of-month month day-of-week) with
 * `*`, `N`, `N-M`, `/STEP` after either, comma lists, and three-letter month and day names.
 * It accepts a subset of what Temporal's schedule parser accepts, so a spec that passes here is
 * never rejected by the server. Note that Temporal matches day-of-month AND day-of-week when
 * both are restricted (classic cron uses OR): `0 4 1-7 * MON` is the first Monday of the month.
 */
export function parseCronSpec(expression: string): CronSpec {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== FIELDS.length) {
    throw new Error(`expected 5 fields "minute hour day-of-month month day-of-week", got ${parts.length} in "${expression}"`);
  }
  const spec: Partial<CronSpec> = { text: parts.join(' ') };
  FIELDS.forEach((field, i) => {
    spec[field.key] = parts[i]!.split(',').map((item) => parseItem(item, field));
  });
  return spec as CronSpec;
}

function parseItem(item: string, field: Field): CronRange {
  const [base = '', step, ...extra] = item.split('/');
  if (extra.length > 0) throw new Error(`${field.label} "${item}" has more than one "/"`);
  const stepValue = step === undefined ? 1 : Number(step);
  if (step !== undefined && (!/^\d+$/.test(step) || stepValue < 1)) {
    throw new Error(`${field.label} step "${step}" must be a whole number of at least 1`);
  }
  if (base === '*') return { start: field.min, end: field.max, step: stepValue };
  const bounds = base.split('-');
  if (bounds.length > 2) throw new Error(`${field.label} "${item}" is not *, N, N-M or one of those with /STEP`);
  const start = parseValue(bounds[0]!, field);
  // `N/STEP` runs from N to the field's maximum, as in Temporal and Vixie cron.
  const end = bounds.length === 2 ? parseValue(bounds[1]!, field) : step === undefined ? start : field.max;
  if (end < start) throw new Error(`${field.label} range "${base}" ends before it starts`);
  return { start, end, step: stepValue };
}

function parseValue(text: string, field: Field): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < field.min || value > field.max) throw new Error(`${field.label} ${value} is out of range ${field.min}-${field.max}`);
    return value;
  }
  const named = field.names?.indexOf(text.toUpperCase() as never) ?? -1;
  if (named >= 0) return field.names === MONTH_NAMES ? named + 1 : named;
  const expected = field.namesHint ? `a number ${field.min}-${field.max} or a name ${field.namesHint}` : `a number ${field.min}-${field.max}`;
  throw new Error(`${field.label} "${text}" is not ${expected}`);
}
