import type { TableCount } from '../../core/backup-record.js';
import type { PostgresGap } from '../../core/privilege-gaps.js';
import { LARGE_OBJECTS, postgresGaps, RELATIONS, SCHEMAS, type RelationAccess } from './postgres-privileges.js';

/**
 * Every readable user table with its exact row count, in one statement: psql has no loop, so each
 * count runs through query_to_xml. Tables the role cannot read are left out here and reported as
 * gaps, which fail the dump before it starts.
 */
const COUNTS = `
SELECT json_build_array('count', n.nspname || '.' || c.relname,
         (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint)::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
   AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
 ORDER BY n.nspname, c.relname`;

/**
 * The script psql runs inside the service before the dump: in one REPEATABLE READ transaction, the
 * server version, the role, the dump's privilege check (the same queries as a direct dump) and, for
 * a dump, the row counts (a check ahead of the night leaves them out: they read every row). Each
 * row is one JSON array on a line, so no name can break the parsing.
 */
export const postgresServiceScript = (options: { counts: boolean }) => [
  'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;',
  "SELECT json_build_array('server', current_setting('server_version'), quote_ident(current_user))::text;",
  `SELECT json_build_array('schema', q.name)::text FROM (${SCHEMAS}) AS q;`,
  `SELECT json_build_array('relation', q.name, q.unreadable, q.row_security)::text FROM (${RELATIONS}) AS q;`,
  `SELECT json_build_array('large object', q.name)::text FROM (${LARGE_OBJECTS}) AS q;`,
  ...(options.counts ? [`${COUNTS};`] : []),
  'COMMIT;',
  '',
].join('\n');

export interface PostgresServiceFacts {
  serverVersion: string;
  role: string;
  gaps: PostgresGap[];
  tables: TableCount[];
}

export function parsePostgresServiceOutput(output: string): PostgresServiceFacts {
  let server: [string, string] | undefined;
  const schemas: string[] = [];
  const relations: RelationAccess[] = [];
  const largeObjects: string[] = [];
  const tables: TableCount[] = [];
  for (const line of output.split('\n').filter(Boolean)) {
    const row = JSON.parse(line) as [string, ...unknown[]];
    const [kind, name] = row;
    if (kind === 'server') server = [String(row[1]), String(row[2])];
    else if (kind === 'schema') schemas.push(String(name));
    else if (kind === 'relation') relations.push({ name: String(name), unreadable: row[2] === true, row_security: row[3] === true });
    else if (kind === 'large object') largeObjects.push(String(name));
    else if (kind === 'count') tables.push({ table: String(name), rows: Number(row[2]) });
  }
  if (!server) throw new Error(`psql printed no server version: ${output.slice(0, 200)}`);
  return { serverVersion: server[0], role: server[1], gaps: postgresGaps(schemas, relations, largeObjects), tables };
}
