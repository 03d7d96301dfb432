/**
 * The version of the pg_dump that wrote a custom-format archive, from the archive's own header, as
 * `pg_dump --version` prints it. The header says which binary made this very dump; asking
 * `pg_dump --version` costs a process start, and a process start from a large worker blocks its
 * event loop for tens of milliseconds. Undefined when the bytes are not a header this reads.
 *
 * The header (pg_backup_archiver.c, WriteHead): "PGDMP", the archive version (major, minor, rev
 * bytes), int size, offset size, format, the compression (an int up to archive 1.14, one byte
 * from 1.15), seven ints of the creation time, then three strings: the database, the server's
 * version and pg_dump's own. An int is a sign byte and `int size` little-endian bytes; a string
 * is its length as an int, then its bytes.
 */
export function pgDumpVersionInHeader(head: Buffer): string | undefined {
  if (head.length < 11 || head.subarray(0, 5).toString('latin1') !== 'PGDMP') return undefined;
  const [major, minor] = [head[5]!, head[6]!];
  const intSize = head[8]!;
  // The layouts known here: 1.12 (PostgreSQL 9.5) to 1.16 (PostgreSQL 17). Another one is asked the slow way.
  if (major !== 1 || minor < 12 || minor > 16 || intSize < 1 || intSize > 8) return undefined;
  let at = 11;
  const readInt = (): number | undefined => {
    if (at + 1 + intSize > head.length) return undefined;
    let value = 0;
    for (let i = intSize - 1; i >= 0; i--) value = value * 256 + head[at + 1 + i]!;
    const negative = head[at] !== 0;
    at += 1 + intSize;
    return negative ? -value : value;
  };
  const readString = (): string | undefined => {
    const length = readInt();
    if (length === undefined || length < 0 || at + length > head.length) return undefined;
    const text = head.subarray(at, at + length).toString('utf8');
    at += length;
    return text;
  };
  if (minor >= 15) at += 1;
  else if (readInt() === undefined) return undefined;
  for (let i = 0; i < 7; i++) if (readInt() === undefined) return undefined;
  for (let i = 0; i < 2; i++) if (readString() === undefined) return undefined;
  const version = readString();
  // PG_VERSION: "15.18", "17devel", "16.4 (Debian 16.4-1)"; anything else means a misread layout.
  return version && /^\d+[.\w]*( \(.+\))?$/.test(version) ? `pg_dump (PostgreSQL) ${version}` : undefined;
}

/** Enough of a dump's first bytes for its header: three short strings after some forty bytes. */
export const PG_DUMP_HEADER_BYTES = 1024;
