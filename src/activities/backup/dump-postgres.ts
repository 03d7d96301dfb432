import { join } from 'node:path';
import pg from 'pg';
import { pgDump, pgToolVersion } from '../../commands/postgres.js';
import { describeAddress } from '../../config/database-url.js';
import type { DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import { PG_DUMP_HEADER_BYTES, pgDumpVersionInHeader } from '../../core/pg-dump-header.js';
import { privilegeGapLines } from '../../core/privilege-gaps.js';
import { connectWithin } from '../databases/connect-within.js';
import { classifyConnectionError } from '../databases/connection-errors.js';
import { connectPostgres, countPostgresRows } from '../databases/postgres-client.js';
import { postgresPrivilegeGaps } from '../databases/postgres-privileges.js';
import { runCommand } from '../process/run-command.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import { artifactName, encryptStage, streamedHashes } from '../encryption/seal-dump.js';
import type { DumpContext, StreamedDumpOutcome } from './dump-outcome.js';

export const POSTGRES_ARTIFACT = 'dump.pgc';

/**
 * pg_dump in custom format, in the very snapshot the row counts are read from: a REPEATABLE READ
 * transaction exports its snapshot and pg_dump --snapshot imports it, so the manifest's counts
 * describe exactly the rows in the dump, whatever writes happen meanwhile.
 */
export async function dumpPostgres(target: DatabaseTarget, context: DumpContext): Promise<StreamedDumpOutcome> {
  const client = await connectWithin(context.unreachableRetryMs, () => connectPostgres(target.url, target.password), context.cancelSignal);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
    // pg_dump exits 1 for every failure; asking first, in its snapshot, names what it could not read.
    const access = await postgresPrivilegeGaps(client);
    if (access.gaps.length > 0) {
      throw new PreconditionFailed(`${describeAddress(target.url)}: ${privilegeGapLines(access.role, access.gaps).join('; ')}`);
    }
    const serverVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const artifact = artifactName(POSTGRES_ARTIFACT, context.encryptTo);
    const dumping = streamCommandsToFile([pgDump(target.url, target.password, { snapshot }), ...encryptStage(context.encryptTo)], join(context.partialDir, artifact), {
      secrets: [target.password],
      hashLastInput: context.encryptTo !== undefined,
      cancelSignal: context.cancelSignal,
      onProgress: context.onProgress,
      keepHead: PG_DUMP_HEADER_BYTES,
    });
    const [file, tables] = await Promise.all([dumping, countPostgresRows(client)]);
    await client.query('COMMIT');
    // The archive names the pg_dump that wrote it; only a header this cannot read costs a process start.
    const pgDumpVersion = pgDumpVersionInHeader(file.head ?? Buffer.alloc(0)) ?? (await runCommand(pgToolVersion('pg_dump'))).trim();
    return {
      artifact,
      ...streamedHashes(file),
      compression: 'none',
      serverVersion,
      toolVersions: { pg_dump: pgDumpVersion },
      tables,
      rowCountConsistency: 'same-snapshot',
    };
  } catch (err) {
    // A query refused by the server carries its SQLSTATE: 42501 is the role's privileges, not the world.
    throw err instanceof pg.DatabaseError ? classifyConnectionError(err, describeAddress(target.url)) : err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
