import { OpsError, PreconditionFailed, TransientFailure } from '../../core/errors.js';

/** SQLSTATEs (PostgreSQL) and error codes (MySQL/MariaDB) that no retry will fix: the inputs are wrong. */
const PERMANENT_CODES = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification (no pg_hba entry, role cannot log in)
  '3D000', // invalid_catalog_name: the database does not exist
  '42501', // insufficient_privilege
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
]);

/**
 * Turns a driver error into an OpsError that names the server and the cause, deciding retryability
 * by the driver's typed error code, never by matching message text.
 */
export function classifyConnectionError(err: unknown, where: string): OpsError {
  if (err instanceof OpsError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = describe(err) || 'connection failed';
  const cause = `${where}: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`;
  return typeof code === 'string' && PERMANENT_CODES.has(code) ? new PreconditionFailed(cause) : new TransientFailure(cause);
}

/** Node reports "every address refused" as an AggregateError with an empty message; its parts say which. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(describe).join('; ');
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return err === undefined ? '' : String(err);
}
