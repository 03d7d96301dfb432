import { describe, expect, it } from 'vitest';
import { parseCronSpec, type CronRange } from '../../src/core/cron-spec.js';

const every = (start: number, end: number, step = 1): CronRange => ({ start, end, step });
const at = (value: number): CronRange => ({ start: value, end: value, step: 1 });

describe('parseCronSpec: valid expressions', () => {
  it.each<[string, string, Record<'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek', CronRange[]>]>([
    ['0 2 * * *', '0 2 * * *', { minute: [at(0)], hour: [at(2)], dayOfMonth: [every(1, 31)], month: [every(1, 12)], dayOfWeek: [every(0, 7)] }],
    ['0 4 1 * *', '0 4 1 * *', { minute: [at(0)], hour: [at(4)], dayOfMonth: [at(1)], month: [every(1, 12)], dayOfWeek: [every(0, 7)] }],
    ['  0   2 * *  *  ', '0 2 * * *', { minute: [at(0)], hour: [at(2)], dayOfMonth: [every(1, 31)], month: [every(1, 12)], dayOfWeek: [every(0, 7)] }],
    ['*/15 * * * *', '*/15 * * * *', { minute: [every(0, 59, 15)], hour: [every(0, 23)], dayOfMonth: [every(1, 31)], month: [every(1, 12)], dayOfWeek: [every(0, 7)] }],
    ['5/20 8-18/2 1,15 * *', '5/20 8-18/2 1,15 * *', { minute: [every(5, 59, 20)], hour: [every(8, 18, 2)], dayOfMonth: [at(1), at(15)], month: [every(1, 12)], dayOfWeek: [every(0, 7)] }],
    ['30 4 1-7 * MON', '30 4 1-7 * MON', { minute: [at(30)], hour: [at(4)], dayOfMonth: [every(1, 7)], month: [every(1, 12)], dayOfWeek: [at(1)] }],
    ['0 0 * jan,Jul sun-sat', '0 0 * jan,Jul sun-sat', { minute: [at(0)], hour: [at(0)], dayOfMonth: [every(1, 31)], month: [at(1), at(7)], dayOfWeek: [every(0, 6)] }],
    ['0 22 * DEC 7', '0 22 * DEC 7', { minute: [at(0)], hour: [at(22)], dayOfMonth: [every(1, 31)], month: [at(12)], dayOfWeek: [at(7)] }],
    ['59 23 31 12 0', '59 23 31 12 0', { minute: [at(59)], hour: [at(23)], dayOfMonth: [at(31)], month: [at(12)], dayOfWeek: [at(0)] }],
  ])('%j', (expression, text, fields) => {
    expect(parseCronSpec(expression)).toStrictEqual({ text, ...fields });
  });
});

describe('parseCronSpec: invalid expressions say what is wrong', () => {
  it.each<[string, string]>([
    ['0 2 * *', 'expected 5 fields "minute hour day-of-month month day-of-week", got 4 in "0 2 * *"'],
    ['0 0 2 * * *', 'expected 5 fields "minute hour day-of-month month day-of-week", got 6 in "0 0 2 * * *"'],
    ['', 'expected 5 fields "minute hour day-of-month month day-of-week", got 0 in ""'],
    ['@daily', 'expected 5 fields "minute hour day-of-month month day-of-week", got 1 in "@daily"'],
    ['60 2 * * *', 'minute 60 is out of range 0-59'],
    ['0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 2 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['0 2 * 13 *', 'month 13 is out of range 1-12'],
    ['0 2 * * 8', 'day-of-week 8 is out of range 0-7'],
    ['0 2 * * MONDAY', 'day-of-week "MONDAY" is not a number 0-7 or a name SUN-SAT'],
    ['0 2 * JANUARY *', 'month "JANUARY" is not a number 1-12 or a name JAN-DEC'],
    ['0 2 MON * *', 'day-of-month "MON" is not a number 1-31'],
    ['x 2 * * *', 'minute "x" is not a number 0-59'],
    ['0 2,,3 * * *', 'hour "" is not a number 0-23'],
    ['0 -1 * * *', 'hour "" is not a number 0-23'],
    ['0 18-8 * * *', 'hour range "18-8" ends before it starts'],
    ['0 1-2-3 * * *', 'hour "1-2-3" is not *, N, N-M or one of those with /STEP'],
    ['*/0 * * * *', 'minute step "0" must be a whole number of at least 1'],
    ['*/x * * * *', 'minute step "x" must be a whole number of at least 1'],
    ['*/5/2 * * * *', 'minute "*/5/2" has more than one "/"'],
    ['0 2 L * *', 'day-of-month "L" is not a number 1-31'],
    ['0 2 ? * *', 'day-of-month "?" is not a number 1-31'],
  ])('%j', (expression, message) => {
    expect(() => parseCronSpec(expression)).toThrow(new Error(message));
  });
});
