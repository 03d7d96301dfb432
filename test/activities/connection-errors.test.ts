import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from '../../src/activities/databases/connection-errors.js';
import { CommandFailed, OpsError, PreconditionFailed, TransientFailure, VerifyFailed } from '../../src/core/errors.js';

const WHERE = 'postgres://ops@db:5432/app';
const driverError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('classifyConnectionError: driver errors', () => {
  it.each<[string, unknown, typeof PreconditionFailed | typeof TransientFailure, string]>([
    [
      'pg 28P01 wrong password',
      driverError('password authentication failed for user "ops"', '28P01'),
      PreconditionFailed,
      `${WHERE}: password authentication failed for user "ops" (28P01)`,
    ],
    [
      'pg 28000 no pg_hba entry',
      driverError('no pg_hba.conf entry for host "10.0.0.5", user "ops", database "app", no encryption', '28000'),
      PreconditionFailed,
      `${WHERE}: no pg_hba.conf entry for host "10.0.0.5", user "ops", database "app", no encryption (28000)`,
    ],
    ['pg 3D000 unknown database', driverError('database "app" does not exist', '3D000'), PreconditionFailed, `${WHERE}: database "app" does not exist (3D000)`],
    ['pg 42501 no privilege', driverError('permission denied for database app', '42501'), PreconditionFailed, `${WHERE}: permission denied for database app (42501)`],
    [
      'mysql ER_ACCESS_DENIED_ERROR',
      driverError("Access denied for user 'ops'@'10.0.0.5' (using password: YES)", 'ER_ACCESS_DENIED_ERROR'),
      PreconditionFailed,
      `${WHERE}: Access denied for user 'ops'@'10.0.0.5' (using password: YES) (ER_ACCESS_DENIED_ERROR)`,
    ],
    ['mysql ER_BAD_DB_ERROR', driverError("Unknown database 'app'", 'ER_BAD_DB_ERROR'), PreconditionFailed, `${WHERE}: Unknown database 'app' (ER_BAD_DB_ERROR)`],
    [
      'mysql ER_DBACCESS_DENIED_ERROR',
      driverError("Access denied for user 'ops'@'%' to database 'app'", 'ER_DBACCESS_DENIED_ERROR'),
      PreconditionFailed,
      `${WHERE}: Access denied for user 'ops'@'%' to database 'app' (ER_DBACCESS_DENIED_ERROR)`,
    ],
    [
      'ECONNREFUSED: the code is already in the message, so not repeated',
      driverError('connect ECONNREFUSED 10.0.0.7:5432', 'ECONNREFUSED'),
      TransientFailure,
      `${WHERE}: connect ECONNREFUSED 10.0.0.7:5432`,
    ],
    ['ETIMEDOUT', driverError('connect ETIMEDOUT', 'ETIMEDOUT'), TransientFailure, `${WHERE}: connect ETIMEDOUT`],
    [
      'pg 57P03 server starting up',
      driverError('the database system is starting up', '57P03'),
      TransientFailure,
      `${WHERE}: the database system is starting up (57P03)`,
    ],
    ['an unknown code', driverError('something odd', 'XX000'), TransientFailure, `${WHERE}: something odd (XX000)`],
    ['no code', driverError('Connection terminated unexpectedly'), TransientFailure, `${WHERE}: Connection terminated unexpectedly`],
    ['a thrown string', 'socket hang up', TransientFailure, `${WHERE}: socket hang up`],
  ])('%s', (_name, err, type, message) => {
    const classified = classifyConnectionError(err, WHERE);
    expect(classified).toBeInstanceOf(type);
    expect([classified.name, classified.message, classified.retryable]).toStrictEqual([type.name, message, type === TransientFailure]);
  });
});

describe('classifyConnectionError: plain objects with codes', () => {
  it.each<[unknown, typeof PreconditionFailed | typeof TransientFailure]>([
    [{ code: '28P01', message: 'password authentication failed' }, PreconditionFailed],
    [{ code: '3D000' }, PreconditionFailed],
    [{ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }, PreconditionFailed],
    [{ code: 'ER_TABLEACCESS_DENIED_ERROR' }, PreconditionFailed],
    [{ code: 'ECONNREFUSED' }, TransientFailure],
    [{ code: 'ENOTFOUND' }, TransientFailure],
    [{ code: 'unknown' }, TransientFailure],
    [{}, TransientFailure],
  ])('%j -> %o', (err, type) => {
    const classified = classifyConnectionError(err, WHERE);
    expect([classified.constructor, classified.retryable]).toStrictEqual([type, type === TransientFailure]);
  });
});

describe('classifyConnectionError: errors that are already classified', () => {
  it.each<[string, OpsError]>([
    ['PreconditionFailed', new PreconditionFailed('unknown target "x"')],
    ['TransientFailure', new TransientFailure('lock wait')],
    ['VerifyFailed', new VerifyFailed('row counts differ')],
    ['CommandFailed', new CommandFailed('pg_dump -h db', 1, 'boom', false)],
  ])('%s is returned as it is', (_name, err) => {
    expect(classifyConnectionError(err, WHERE)).toBe(err);
  });
});
