import mysql from 'mysql2/promise';

/**
 * The objects of a MySQL/MariaDB database that RENAME TABLE cannot carry to another database:
 * views (they stay behind), triggers (a table that has any cannot move), routines and events
 * (they belong to the database). Each is kept as the statement that re-creates it, with the
 * sql_mode it was made under (and an event's time zone): the server stores them with the object
 * and runs its body under them, so re-created under the restoring session's own, a routine made
 * for a lenient mode would turn strict.
 */
export interface SchemaObjects {
  tables: string[];
  triggers: Array<{ name: string; create: string; sqlMode: string }>;
  views: Array<{ name: string; create: string }>;
  routines: Array<{ name: string; kind: 'PROCEDURE' | 'FUNCTION'; create: string; sqlMode: string }>;
  events: Array<{ name: string; create: string; sqlMode: string; timeZone: string }>;
}

export async function readSchemaObjects(admin: mysql.Connection, schema: string): Promise<SchemaObjects> {
  const names = async (sql: string) => (await admin.query<mysql.RowDataPacket[]>(sql, [schema]))[0];
  const show = async (sql: string) => (await admin.query<mysql.RowDataPacket[]>(sql))[0][0]!;
  const q = (name: string) => `${mysql.escapeId(schema)}.${mysql.escapeId(name)}`;
  const tables = (await names("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1")).map((r) => String(r.name));
  const triggers = [];
  for (const r of await names('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY ACTION_ORDER, 1')) {
    const shown = await show(`SHOW CREATE TRIGGER ${q(String(r.name))}`);
    triggers.push({ name: String(r.name), create: String(shown['SQL Original Statement']), sqlMode: String(shown.sql_mode) });
  }
  const views = [];
  for (const r of await names('SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1')) {
    views.push({ name: String(r.name), create: String((await show(`SHOW CREATE VIEW ${q(String(r.name))}`))['Create View']) });
  }
  const routines = [];
  for (const r of await names('SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1')) {
    const kind = String(r.kind) === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE';
    const shown = await show(`SHOW CREATE ${kind} ${q(String(r.name))}`);
    routines.push({ name: String(r.name), kind, create: String(shown[kind === 'FUNCTION' ? 'Create Function' : 'Create Procedure']), sqlMode: String(shown.sql_mode) } as const);
  }
  const events = [];
  for (const r of await names('SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1')) {
    const shown = await show(`SHOW CREATE EVENT ${q(String(r.name))}`);
    events.push({ name: String(r.name), create: String(shown['Create Event']), sqlMode: String(shown.sql_mode), timeZone: String(shown.time_zone) });
  }
  return { tables, triggers, views, routines, events };
}

/** Drops what RENAME TABLE cannot carry: triggers first (they pin their tables), then views, routines, events. */
export async function dropSchemaObjects(admin: mysql.Connection, schema: string, objects: SchemaObjects): Promise<void> {
  const q = (name: string) => `${mysql.escapeId(schema)}.${mysql.escapeId(name)}`;
  for (const t of objects.triggers) await admin.query(`DROP TRIGGER IF EXISTS ${q(t.name)}`);
  for (const v of objects.views) await admin.query(`DROP VIEW IF EXISTS ${q(v.name)}`);
  for (const r of objects.routines) await admin.query(`DROP ${r.kind} IF EXISTS ${q(r.name)}`);
  for (const e of objects.events) await admin.query(`DROP EVENT IF EXISTS ${q(e.name)}`);
}

/**
 * Re-creates them in `to` once its tables are there. The statements name their objects without a
 * database (so `USE to` places them), except views, whose SHOW CREATE VIEW qualifies every table
 * with its database: `from`. becomes `to`. there.
 */
export async function createSchemaObjects(admin: mysql.Connection, from: string, to: string, objects: SchemaObjects): Promise<void> {
  await admin.query(`USE ${mysql.escapeId(to)}`);
  const qualifiedFrom = `${mysql.escapeId(from)}.`;
  const [[session]] = await admin.query<mysql.RowDataPacket[]>('SELECT @@SESSION.sql_mode AS sqlMode, @@SESSION.time_zone AS timeZone');
  // Each object under its own mode, and the session's back after it: views are made under the session's.
  const madeUnder = async (create: string, sqlMode: string, timeZone: string = session!.timeZone) => {
    await admin.query('SET SESSION sql_mode = ?, SESSION time_zone = ?', [sqlMode, timeZone]);
    try {
      await admin.query(create);
    } finally {
      await admin.query('SET SESSION sql_mode = ?, SESSION time_zone = ?', [session!.sqlMode, session!.timeZone]);
    }
  };
  for (const r of objects.routines) await madeUnder(r.create, r.sqlMode);
  // A view may select from another view: create them in rounds until none is left or none more can be made.
  let pending = objects.views;
  while (pending.length > 0) {
    const failed: typeof pending = [];
    let lastError: unknown;
    for (const v of pending) {
      await admin.query(v.create.split(qualifiedFrom).join(`${mysql.escapeId(to)}.`)).catch((err: unknown) => {
        failed.push(v);
        lastError = err;
      });
    }
    if (failed.length === pending.length) throw lastError;
    pending = failed;
  }
  for (const t of objects.triggers) await madeUnder(t.create, t.sqlMode);
  for (const e of objects.events) await madeUnder(e.create, e.sqlMode, e.timeZone);
}
