import { describe, expect, it } from 'vitest';
import { privilegeGapLines, type PrivilegeGap } from '../../src/core/privilege-gaps.js';

const oids = (n: number) => Array.from({ length: n }, (_, i) => String(16_400 + i));
const pg = (kind: 'schema' | 'table' | 'row security' | 'large object', objects: string[]): PrivilegeGap => ({ engine: 'postgres', kind, objects });
const my = (privilege: 'SELECT' | 'SHOW VIEW' | 'EVENT' | 'TRIGGER', objects: string[] = []): PrivilegeGap => ({ engine: 'mysql', privilege, database: '`shop`', objects });

describe('privilegeGapLines: PostgreSQL', () => {
  it.each<[string, PrivilegeGap, string]>([
    ['one large object', pg('large object', ['16391']), 'cannot read large object 16391: GRANT SELECT ON LARGE OBJECT 16391 TO ops_reader'],
    [
      'five large objects: all named, one statement',
      pg('large object', oids(5)),
      'cannot read 5 large objects (16400, 16401, 16402, 16403, 16404): GRANT SELECT ON LARGE OBJECT 16400, 16401, 16402, 16403, 16404 TO ops_reader',
    ],
    [
      'many large objects: the first five and a count, and where the grant for all is',
      pg('large object', oids(1200)),
      'cannot read 1200 large objects (16400, 16401, 16402, 16403, 16404 and 1195 more): GRANT SELECT ON LARGE OBJECT <oid> TO ops_reader for each (README, "Backup roles", grants them all at once)',
    ],
    [
      'one table',
      pg('table', ['public.secret']),
      'cannot read table public.secret: GRANT pg_read_all_data TO ops_reader (or GRANT SELECT ON public.secret TO ops_reader)',
    ],
    [
      'tables and a sequence, quoted names kept',
      pg('table', ['public."Orders"', 'public.orders_id_seq']),
      'cannot read 2 tables (public."Orders", public.orders_id_seq): GRANT pg_read_all_data TO ops_reader (or GRANT SELECT ON public."Orders", public.orders_id_seq TO ops_reader)',
    ],
    [
      'many tables: no per-table statement',
      pg('table', ['a.t1', 'a.t2', 'a.t3', 'a.t4', 'a.t5', 'a.t6']),
      'cannot read 6 tables (a.t1, a.t2, a.t3, a.t4, a.t5 and 1 more): GRANT pg_read_all_data TO ops_reader',
    ],
    ['a schema', pg('schema', ['billing']), 'cannot use schema billing: GRANT USAGE ON SCHEMA billing TO ops_reader'],
    [
      'row-level security',
      pg('row security', ['public.tenants']),
      'table public.tenants has row-level security, which pg_dump will not dump in part: ALTER ROLE ops_reader BYPASSRLS',
    ],
    [
      'row-level security on two tables',
      pg('row security', ['public.a', 'public.b']),
      '2 tables (public.a, public.b) have row-level security, which pg_dump will not dump in part: ALTER ROLE ops_reader BYPASSRLS',
    ],
  ])('%s', (_name, gap, line) => {
    expect(privilegeGapLines('ops_reader', [gap])).toStrictEqual([line]);
  });
});

describe('privilegeGapLines: MySQL/MariaDB', () => {
  const account = "'ops_reader'@'%'";
  it.each<[string, PrivilegeGap, string]>([
    ['a table refused', my('SELECT', ['`shop`.`orders`']), "cannot read table `shop`.`orders`: GRANT SELECT ON `shop`.* TO 'ops_reader'@'%'"],
    [
      'SELECT granted table by table only',
      my('SELECT'),
      "cannot read every table of `shop`, so the dump would leave out those it has no grant on: GRANT SELECT ON `shop`.* TO 'ops_reader'@'%'",
    ],
    ['a view refused', my('SHOW VIEW', ['`shop`.`v`']), "cannot show view `shop`.`v`: GRANT SHOW VIEW ON `shop`.* TO 'ops_reader'@'%'"],
    ['no EVENT', my('EVENT'), "cannot list the events of `shop`: GRANT EVENT ON `shop`.* TO 'ops_reader'@'%'"],
    ['no TRIGGER', my('TRIGGER'), "cannot see the triggers of `shop`, so the dump would leave them out: GRANT TRIGGER ON `shop`.* TO 'ops_reader'@'%'"],
  ])('%s', (_name, gap, line) => {
    expect(privilegeGapLines(account, [gap])).toStrictEqual([line]);
  });

  it('one line per gap, in the order found', () => {
    expect(privilegeGapLines(account, [my('EVENT'), my('TRIGGER')])).toStrictEqual([
      "cannot list the events of `shop`: GRANT EVENT ON `shop`.* TO 'ops_reader'@'%'",
      "cannot see the triggers of `shop`, so the dump would leave them out: GRANT TRIGGER ON `shop`.* TO 'ops_reader'@'%'",
    ]);
  });

  it('no gaps, no lines', () => {
    expect(privilegeGapLines(account, [])).toStrictEqual([]);
  });
});
