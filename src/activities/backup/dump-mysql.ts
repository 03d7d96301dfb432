import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { compress, compressionSuffix } from '../../commands/compression.js';
import { alterDatabaseInPlace, mysqlDump, mysqlToolVersion } from '../../commands/mysql.js';
import { describeAddress } from '../../config/database-url.js';
import type { DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import { privilegeGapLines } from '../../core/privilege-gaps.js';
import { connectWithin } from '../databases/connect-within.js';
import { connectMysql, countMysqlRows } from '../databases/mysql-client.js';
import { mysqlPrivilegeGaps } from '../databases/mysql-privileges.js';
import { runCommand } from '../process/run-command.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import { artifactName, encryptStage, streamedHashes } from '../encryption/seal-dump.js';
import type { DumpContext, StreamedDumpOutcome } from './dump-outcome.js';
import { mysqlBinaries } from './mysql-binaries.js';
import { holdReadLockUntilDumpSnapshot } from './mysql-snapshot-lock.js';

/**
 * mysqldump --single-transaction piped through zstd (or gzip). MySQL cannot share a snapshot
 * between sessions, so the row counts are made consistent with the dump another way: while a
 * global read lock freezes writes, our counting transaction and the dump's transaction both open
 * their snapshots; the lock is released as soon as the dump's snapshot exists. Without the RELOAD
 * privilege the counts come from a snapshot opened just before the dump ("adjacent"), which is
 * exact only when nothing writes meanwhile; the manifest records which guarantee holds.
 */
export async function dumpMysql(target: DatabaseTarget, compression: 'zstd' | 'gzip', context: DumpContext): Promise<StreamedDumpOutcome> {
  const binaries = mysqlBinaries();
  const connect = () => connectWithin(context.unreachableRetryMs, () => connectMysql(target.url, target.password), context.cancelSignal);
  const lock = await connect();
  const counter = await connect().catch(async (err: unknown) => {
    await lock.end().catch(() => undefined);
    throw err;
  });
  try {
    // mysqldump fails with exit 2 for a refused privilege and skips hidden objects silently; asking first names what is missing.
    const access = await mysqlPrivilegeGaps(lock, target.url.database);
    if (access.gaps.length > 0) {
      throw new PreconditionFailed(`${describeAddress(target.url)}: ${privilegeGapLines(access.account, access.gaps).join('; ')}`);
    }
    const locked = await tryGlobalReadLock(lock);
    await counter.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await counter.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [[facts]] = await counter.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v, @@character_set_database AS characterSet, @@collation_database AS collation');
    const artifact = artifactName(`dump.sql${compressionSuffix(compression)}`, context.encryptTo);
    const dumping = streamCommandsToFile(
      [mysqlDump(binaries.dump, target.url, target.password), alterDatabaseInPlace(), compress(compression), ...encryptStage(context.encryptTo)],
      join(context.partialDir, artifact),
      { secrets: [target.password], cancelSignal: context.cancelSignal, onProgress: context.onProgress, hashLastInput: context.encryptTo !== undefined },
    );
    let dumpFinished = false;
    dumping.then(() => (dumpFinished = true), () => (dumpFinished = true));
    const consistency = locked ? await holdReadLockUntilDumpSnapshot(lock, target.url.user, [counter.threadId, lock.threadId], () => dumpFinished) : 'adjacent';
    const [file, tables] = await Promise.all([dumping, countMysqlRows(counter, target.url.database)]);
    await counter.query('COMMIT');
    const dumpVersion = (await runCommand(mysqlToolVersion(binaries.dump))).trim();
    return {
      artifact,
      ...streamedHashes(file),
      compression,
      serverVersion: String(facts!.v),
      toolVersions: { [binaries.dump]: dumpVersion },
      databaseDefaults: { characterSet: String(facts!.characterSet), collation: String(facts!.collation) },
      alterDatabaseUnnamed: true,
      tables,
      rowCountConsistency: consistency,
    };
  } finally {
    await lock.end().catch(() => undefined);
    await counter.end().catch(() => undefined);
  }
}

async function tryGlobalReadLock(connection: mysql.Connection): Promise<boolean> {
  try {
    await connection.query('FLUSH TABLES WITH READ LOCK');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') return false;
    throw err;
  }
}
