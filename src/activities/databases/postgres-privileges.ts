import type pg from 'pg';
import type { PostgresGap } from '../../core/privilege-gaps.js';

/** The schemas pg_dump dumps: not the system ones, not those an extension created. */
const DUMPED_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const NOT_EXTENSION_MEMBER = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

export const SCHEMAS = `
SELECT quote_ident(n.nspname) AS name FROM pg_namespace n
 WHERE ${DUMPED_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
   AND NOT has_schema_privilege(n.oid, 'USAGE')
 ORDER BY n.nspname`;

/**
 * Tables and sequences whose data pg_dump reads. pg_dump turns row_security off, so a table with
 * row-level security fails the whole dump unless the role bypasses it (superuser, BYPASSRLS, or
 * the owner of a table without FORCE ROW LEVEL SECURITY); pg_read_all_data does not.
 */
export const RELATIONS = `
SELECT format('%I.%I', n.nspname, c.relname) AS name,
       NOT has_table_privilege(c.oid, 'SELECT') AS unreadable,
       c.relrowsecurity
         AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user)
         AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE')) AS row_security
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'S') AND ${DUMPED_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname`;

/**
 * Large objects the role cannot read, by the rule the server applies when pg_dump opens one
 * (aclchk.c): superusers and lo_compat_privileges skip the check; otherwise SELECT must be granted
 * to PUBLIC or to a role whose privileges the user has, the owner's own default grant included.
 * PostgreSQL 19 lets pg_read_all_data read them too. has_largeobject_privilege() would say the
 * same, but only from PostgreSQL 17 on.
 */
export const LARGE_OBJECTS = `
SELECT m.oid::text AS name FROM pg_largeobject_metadata m
 WHERE NOT (
   current_setting('lo_compat_privileges')::boolean
   OR (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
   OR (current_setting('server_version_num')::int >= 190000
       AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'pg_read_all_data' AND pg_has_role(r.oid, 'USAGE')))
   OR EXISTS (SELECT 1 FROM aclexplode(coalesce(m.lomacl, acldefault('L', m.lomowner))) a
               WHERE a.privilege_type = 'SELECT' AND (a.grantee = 0 OR pg_has_role(a.grantee, 'USAGE'))))
 ORDER BY m.oid`;

export interface PostgresAccess {
  /** the connected role, quoted as an identifier */
  role: string;
  gaps: PostgresGap[];
}

/**
 * What pg_dump, run as this connection's role, would fail to read. Run it in the dump's own
 * transaction, so it sees exactly the objects of the dump's snapshot.
 */
export async function postgresPrivilegeGaps(client: pg.Client): Promise<PostgresAccess> {
  const role = (await client.query<{ role: string }>('SELECT quote_ident(current_user) AS role')).rows[0]!.role;
  const schemas = (await client.query<{ name: string }>(SCHEMAS)).rows.map((r) => r.name);
  const relations = (await client.query<RelationAccess>(RELATIONS)).rows;
  const largeObjects = (await client.query<{ name: string }>(LARGE_OBJECTS)).rows.map((r) => r.name);
  return { role, gaps: postgresGaps(schemas, relations, largeObjects) };
}

export interface RelationAccess {
  name: string;
  unreadable: boolean;
  row_security: boolean;
}

/** The gaps the three queries' rows describe, in the order the messages list them. */
export function postgresGaps(schemas: string[], relations: RelationAccess[], largeObjects: string[]): PostgresGap[] {
  const gaps: PostgresGap[] = [
    { engine: 'postgres', kind: 'schema', objects: schemas },
    { engine: 'postgres', kind: 'table', objects: relations.filter((r) => r.unreadable).map((r) => r.name) },
    { engine: 'postgres', kind: 'row security', objects: relations.filter((r) => r.row_security).map((r) => r.name) },
    { engine: 'postgres', kind: 'large object', objects: largeObjects },
  ];
  return gaps.filter((gap) => gap.objects.length > 0);
}
