import type pg from 'pg';
import { scratchLockKey, type ScratchPrefix } from '../../core/backup-id.js';
import { TransientFailure } from '../../core/errors.js';
import type { SweepRule } from '../../core/scratch-sweep.js';
import { sweepAbandoned } from './sweep-abandoned.js';
import { createPostgresDatabase } from './create-database.js';
import type { RestoreServer } from './restore-outcome.js';

/**
 * A verify owns its scratch database through a session advisory lock on its admin connection,
 * taken before the database exists and held until after it is dropped (the lock goes when `admin`
 * ends). The lock dies with the session, so with the worker: a database whose lock can be taken
 * has no live owner. Advisory locks belong to the database the session is connected to, so owners
 * and sweepers all connect to the verify server's admin database.
 */
export async function claimPostgresScratch(admin: pg.Client, name: string, server?: RestoreServer): Promise<void> {
  if (!(await tryLock(admin, name))) throw new TransientFailure(`scratch database ${name} is held by another verify`);
  // With the server known, a user not allowed to create databases is refused naming both.
  if (server) await createPostgresDatabase(admin, server, name);
  else await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
}

/** WITH (FORCE) terminates the backends still connected to it first: an orphaned pg_restore, a dead worker's counting session. */
export async function dropPostgresScratch(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
}

/**
 * Drops every `prefix`* database (verify_* by default) no live owner holds (see sweepDecision) and returns their names.
 * Only those of the connected role: another installation sharing the server under its own role
 * and admin database takes its locks where this one cannot see them.
 * Run on a connection that holds no scratch lock itself: a session re-takes its own locks.
 */
export async function dropAbandonedPostgresScratch(admin: pg.Client, rule: SweepRule, prefix: ScratchPrefix = 'verify_'): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1 AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) ORDER BY datname',
    [`${prefix.replace('_', '\\_')}%`],
  );
  return sweepAbandoned(rows.map((r) => r.datname), {
    tryLock: (name) => tryLock(admin, name),
    unlock: async (name) => void (await admin.query('SELECT pg_advisory_unlock($1::bigint)', [scratchLockKey(name)])),
    drop: (name) => dropPostgresScratch(admin, name),
  }, rule);
}

async function tryLock(admin: pg.Client, name: string): Promise<boolean> {
  const { rows } = await admin.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [scratchLockKey(name)]);
  return rows[0]!.locked;
}
