import { describe, expect, it } from 'vitest';
import { finishedTableData, PG_RESTORE_PROGRESS } from '../../src/core/pg-restore-progress.js';

describe('finishedTableData', () => {
  it.each([
    ['pg_restore: finished item 3345 TABLE DATA orders', 'orders'],
    ['pg_restore: finished item 12 TABLE DATA order items\n', 'order items'],
    ['pg_restore: finished item 7 TABLE DATA Müller', 'Müller'],
    ['pg_restore: finished item 3350 INDEX orders_customer_id', undefined],
    ['pg_restore: finished item 3351 SEQUENCE SET orders_id_seq', undefined],
    ['pg_restore: launching item 3345 TABLE DATA orders', undefined],
    ['pg_restore: processing data for table "public.orders"', undefined],
    ['pg_restore: error: COPY failed for table "orders": ERROR:  could not extend file', undefined],
    ['', undefined],
  ])('%j → %j', (line, table) => {
    expect(finishedTableData(line)).toBe(table);
  });
});

describe('PG_RESTORE_PROGRESS', () => {
  it.each([
    ['pg_restore: connecting to database for restore', true],
    ['pg_restore: creating TABLE "public.orders"', true],
    ['pg_restore: finished item 3345 TABLE DATA orders', true],
    ['pg_restore: error: could not execute query: ERROR:  relation "orders" already exists', false],
    ['pg_restore: warning: errors ignored on restore: 1', false],
    ['pg_restore: detail: Command was: CREATE TABLE public.orders (', false],
    ['pg_restore: hint: try again', false],
    ['Command was: CREATE INDEX orders_customer_id ON public.orders USING btree (customer_id);', false],
    ['ERROR:  could not extend file "base/16384/16390": No space left on device', false],
  ])('%j is progress: %s', (line, progress) => {
    expect(PG_RESTORE_PROGRESS.test(line)).toBe(progress);
  });
});
