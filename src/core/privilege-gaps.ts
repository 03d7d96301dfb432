/**
 * What a backup role cannot read, found before a dump by asking the server (PostgreSQL) or by
 * trying what the dump tool will try (MySQL/MariaDB). Names arrive already quoted as SQL
 * identifiers, so every grant printed here can be pasted as it is.
 */
export type PostgresGap = {
  engine: 'postgres';
  kind: 'schema' | 'table' | 'row security' | 'large object';
  objects: string[];
};

export type MysqlGap = {
  engine: 'mysql';
  privilege: 'SELECT' | 'SHOW VIEW' | 'EVENT' | 'TRIGGER';
  /** the database, quoted */
  database: string;
  /** the tables or views concerned, quoted and qualified; none for database-wide privileges */
  objects: string[];
};

export type PrivilegeGap = PostgresGap | MysqlGap;

/** Objects named in a message, at most: a database with thousands of large objects still gets one line. */
export const MAX_NAMED = 5;

/** One line per gap, each naming the objects and the statement that closes it, for `role` (a quoted role or 'user'@'host' account). */
export function privilegeGapLines(role: string, gaps: PrivilegeGap[]): string[] {
  return gaps.map((gap) => (gap.engine === 'postgres' ? postgresLine(role, gap) : mysqlLine(role, gap)));
}

function postgresLine(role: string, gap: PostgresGap): string {
  const { objects } = gap;
  const named = objects.length <= MAX_NAMED;
  switch (gap.kind) {
    case 'schema':
      return `cannot use ${noun('schema', objects)} ${listed(objects)}: GRANT USAGE ON SCHEMA ${named ? objects.join(', ') : '<schema>'} TO ${role}`;
    case 'table':
      return `cannot read ${noun('table', objects)} ${listed(objects)}: GRANT pg_read_all_data TO ${role}${named ? ` (or GRANT SELECT ON ${objects.join(', ')} TO ${role})` : ''}`;
    case 'row security':
      return `${noun('table', objects)} ${listed(objects)} ${objects.length === 1 ? 'has' : 'have'} row-level security, which pg_dump will not dump in part: ALTER ROLE ${role} BYPASSRLS`;
    case 'large object':
      return named
        ? `cannot read ${noun('large object', objects)} ${listed(objects)}: GRANT SELECT ON LARGE OBJECT ${objects.join(', ')} TO ${role}`
        : `cannot read ${noun('large object', objects)} ${listed(objects)}: GRANT SELECT ON LARGE OBJECT <oid> TO ${role} for each (README, "Backup roles", grants them all at once)`;
  }
}

function mysqlLine(account: string, gap: MysqlGap): string {
  const grant = `GRANT ${gap.privilege} ON ${gap.database}.* TO ${account}`;
  switch (gap.privilege) {
    case 'SELECT':
      return gap.objects.length > 0
        ? `cannot read ${noun('table', gap.objects)} ${listed(gap.objects)}: ${grant}`
        : `cannot read every table of ${gap.database}, so the dump would leave out those it has no grant on: ${grant}`;
    case 'SHOW VIEW':
      return `cannot show ${noun('view', gap.objects)} ${listed(gap.objects)}: ${grant}`;
    case 'EVENT':
      return `cannot list the events of ${gap.database}: ${grant}`;
    case 'TRIGGER':
      return `cannot see the triggers of ${gap.database}, so the dump would leave them out: ${grant}`;
  }
}

function noun(singular: string, objects: string[]): string {
  if (objects.length === 1) return singular;
  return `${objects.length} ${singular}s`;
}

function listed(objects: string[]): string {
  if (objects.length === 1) return objects[0]!;
  if (objects.length <= MAX_NAMED) return `(${objects.join(', ')})`;
  return `(${objects.slice(0, MAX_NAMED).join(', ')} and ${objects.length - MAX_NAMED} more)`;
}
