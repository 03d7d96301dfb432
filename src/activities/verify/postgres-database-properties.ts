import type pg from 'pg';

/**
 * What belongs to a PostgreSQL database rather than to what is in it, and so is not in a pg_dump of
 * it: its owner, its grants (who may connect, create schemas, make temp tables), its connection
 * limit and its `ALTER DATABASE … SET` / `ALTER ROLE … IN DATABASE … SET` settings. A replace
 * carries them from the database it replaces to the restored copy, which the restoring user made:
 * without that the copy is owned by that user, everyone may connect to it again (a revoked PUBLIC
 * CONNECT is back), and a per-database statement_timeout or search_path is gone.
 */
export interface PostgresDatabaseProperties {
  owner: string;
  /** null: the built-in defaults (PUBLIC may connect and make temp tables), relative to the owner. */
  grants: DatabaseGrant[] | null;
  connectionLimit: number;
  settings: DatabaseSetting[];
}

export interface DatabaseGrant {
  /** null: PUBLIC */
  grantee: string | null;
  privilege: string;
  grantable: boolean;
}

export interface DatabaseSetting {
  /** null: for every role */
  role: string | null;
  name: string;
  value: string;
}

/**
 * Settings whose value is a list of quoted names: their stored text is not one literal. pg_dump
 * keeps the same list (variable_is_guc_list_quote) for the same reason.
 */
const LIST_SETTINGS = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

export async function readPostgresDatabaseProperties(admin: pg.Client, database: string): Promise<PostgresDatabaseProperties> {
  const { rows } = await admin.query<{ owner: string; defaults: boolean; limit: number }>(
    'SELECT pg_get_userbyid(datdba) AS owner, datacl IS NULL AS defaults, datconnlimit AS limit FROM pg_database WHERE datname = $1',
    [database],
  );
  const [row] = rows;
  if (!row) throw new Error(`database ${database} not found`);
  const grants = row.defaults
    ? null
    : (
        await admin.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
          `SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
             FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 ORDER BY 1 NULLS FIRST, 2`,
          [database],
        )
      ).rows;
  const settings = (
    await admin.query<{ role: string | null; setting: string }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, c.setting
         FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) WITH ORDINALITY AS c(setting, n)
        WHERE d.datname = $1 ORDER BY 1 NULLS FIRST, c.n`,
      [database],
    )
  ).rows.map(({ role, setting }) => {
    const at = setting.indexOf('=');
    return { role, name: setting.slice(0, at), value: setting.slice(at + 1) };
  });
  return { owner: row.owner, grants, connectionLimit: row.limit, settings };
}

/**
 * Gives `database` these properties, in the caller's transaction: it replaces the database's own
 * grants and settings (a fresh one has none) rather than adding to them.
 */
export async function applyPostgresDatabaseProperties(admin: pg.Client, database: string, properties: PostgresDatabaseProperties): Promise<void> {
  const id = (name: string) => admin.escapeIdentifier(name);
  const db = id(database);
  await admin.query(`ALTER DATABASE ${db} OWNER TO ${id(properties.owner)}`);
  await admin.query(`ALTER DATABASE ${db} CONNECTION LIMIT ${Number(properties.connectionLimit)}`);
  if (properties.grants) {
    await admin.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC, ${id(properties.owner)}`);
    for (const grant of properties.grants) {
      const grantee = grant.grantee === null ? 'PUBLIC' : id(grant.grantee);
      await admin.query(`GRANT ${grant.privilege} ON DATABASE ${db} TO ${grantee}${grant.grantable ? ' WITH GRANT OPTION' : ''}`);
    }
  }
  for (const setting of properties.settings) {
    const scope = setting.role === null ? `DATABASE ${db}` : `ROLE ${id(setting.role)} IN DATABASE ${db}`;
    if (LIST_SETTINGS.has(setting.name)) {
      // The stored text, read back as the server reads a SET of it, then stored as it stands now.
      await admin.query('SELECT set_config($1, $2, true)', [setting.name, setting.value]);
      await admin.query(`ALTER ${scope} SET ${id(setting.name)} FROM CURRENT`);
    } else {
      await admin.query(`ALTER ${scope} SET ${id(setting.name)} TO ${admin.escapeLiteral(setting.value)}`);
    }
  }
}
