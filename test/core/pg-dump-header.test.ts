import { describe, expect, it } from 'vitest';
import { pgDumpVersionInHeader } from '../../src/core/pg-dump-header.js';

/** The first 134 bytes of `pg_dump --format=custom` 15.18 (archive 1.14) of the database `postgres`. */
const PG15_HEADER = Buffer.from(
  '5047444d50010e0004080101010000000039000000003100000000060000000007000000000b000000007e00000000000000000008000000706f737467726573' +
    '001e00000031352e3138202844656269616e2031352e31382d302b6465623132753129001e00000031352e3138202844656269616e2031352e31382d302b6465623132753129',
  'hex',
);

const int4 = (value: number) => Buffer.from([value < 0 ? 1 : 0, ...Buffer.from(Uint32Array.of(Math.abs(value)).buffer)]);
const str4 = (text: string) => Buffer.concat([int4(Buffer.byteLength(text)), Buffer.from(text)]);

/** An archive 1.15+ header (PostgreSQL 16 on): the compression is one byte, not an int. */
function headerFrom16(minor: number, dumpVersion: string): Buffer {
  return Buffer.concat([
    Buffer.from('PGDMP'), Buffer.from([1, minor, 0, 4, 8, 1]), Buffer.from([0]),
    ...[12, 30, 4, 7, 11, 126, 0].map(int4), str4('crm'), str4('16.4'), str4(dumpVersion),
  ]);
}

describe('pgDumpVersionInHeader', () => {
  it.each([
    ['a real pg_dump 15 header', PG15_HEADER, 'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)'],
    ['the same followed by the table of contents', Buffer.concat([PG15_HEADER, Buffer.alloc(900, 7)]), 'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)'],
    ['archive 1.15 (compression as one byte)', headerFrom16(15, '16.4'), 'pg_dump (PostgreSQL) 16.4'],
    ['archive 1.16', headerFrom16(16, '17.2 (Ubuntu 17.2-1)'), 'pg_dump (PostgreSQL) 17.2 (Ubuntu 17.2-1)'],
    ['cut inside the version string', PG15_HEADER.subarray(0, 120), undefined],
    ['not an archive (a plain SQL dump)', Buffer.from('--\n-- PostgreSQL database dump\n--\n'), undefined],
    ['a development build', headerFrom16(16, '18devel'), 'pg_dump (PostgreSQL) 18devel'],
    ['an archive version newer than 1.16 (a layout not known here)', headerFrom16(17, '18.1'), undefined],
    ['a version string that is no version (a misread layout)', headerFrom16(15, 'crm\u0000x'), undefined],
    ['an archive version older than 1.12', Buffer.concat([PG15_HEADER.subarray(0, 6), Buffer.from([11]), PG15_HEADER.subarray(7)]), undefined],
    ['empty', Buffer.alloc(0), undefined],
  ])('%s', (_case, head, expected) => {
    expect(pgDumpVersionInHeader(head)).toBe(expected);
  });
});
