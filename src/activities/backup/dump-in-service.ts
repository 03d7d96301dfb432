import { join } from 'node:path';
import { inService, type ServiceExec } from '../../commands/compose-exec.js';
import { compress, compressionSuffix } from '../../commands/compression.js';
import { alterDatabaseInPlace, mysqlDump, mysqlToolVersion } from '../../commands/mysql.js';
import { pgDump, pgToolVersion } from '../../commands/postgres.js';
import type { SshSettings } from '../../commands/ssh.js';
import { describeAddress } from '../../config/database-url.js';
import type { DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import { privilegeGapLines } from '../../core/privilege-gaps.js';
import { mysqlFactsInService, postgresFactsInService } from '../databases/service-facts.js';
import { runCommand } from '../process/run-command.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import { artifactName, encryptStage, streamedHashes } from '../encryption/seal-dump.js';
import type { DumpContext, StreamedDumpOutcome } from './dump-outcome.js';
import { POSTGRES_ARTIFACT } from './dump-postgres.js';

/**
 * pg_dump run inside the compose service over ssh, its output streamed into the same local
 * pipeline as a direct dump (hash, file, fsync). The privilege check and the row counts run first,
 * through psql in the same service, in a snapshot of their own: the counts are exact only when
 * nothing writes between it and the dump's, and the manifest says so (`adjacent`).
 */
export async function dumpPostgresInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, context: DumpContext): Promise<StreamedDumpOutcome> {
  const inTarget = (tool: Parameters<typeof inService>[2]) => inService(ssh, exec, tool);
  const facts = await postgresFactsInService(target, exec, ssh, { counts: true, cancelSignal: context.cancelSignal });
  if (facts.gaps.length > 0) throw new PreconditionFailed(`${describeAddress(target.url)}: ${privilegeGapLines(facts.role, facts.gaps).join('; ')}`);
  const artifact = artifactName(POSTGRES_ARTIFACT, context.encryptTo);
  const file = await streamCommandsToFile([inTarget(pgDump(target.url, target.password)), ...encryptStage(context.encryptTo)], join(context.partialDir, artifact), {
    secrets: [target.password],
    hashLastInput: context.encryptTo !== undefined,
    cancelSignal: context.cancelSignal,
    onProgress: context.onProgress,
  });
  const pgDumpVersion = (await runCommand(inTarget(pgToolVersion('pg_dump')), { cancelSignal: context.cancelSignal })).trim();
  return {
    artifact,
    ...streamedHashes(file),
    compression: 'none',
    serverVersion: facts.serverVersion,
    toolVersions: { pg_dump: pgDumpVersion },
    tables: facts.tables,
    rowCountConsistency: 'adjacent',
    privilegeCheck: 'ran',
  };
}

/**
 * mysqldump (or mariadb-dump) run inside the compose service over ssh, compressed and hashed on
 * the worker. The row counts run first through the service's client, in a snapshot of their own
 * (`adjacent`). The privilege check of a direct dump tries statements and reads the server's error
 * codes, which the client's exit status cannot carry: it is not run here, and the manifest says so.
 */
export async function dumpMysqlInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, compression: 'zstd' | 'gzip', context: DumpContext): Promise<StreamedDumpOutcome> {
  const inTarget = (tool: Parameters<typeof inService>[2]) => inService(ssh, exec, tool);
  const facts = await mysqlFactsInService(target, exec, ssh, { counts: true, cancelSignal: context.cancelSignal });
  const dumpTool = facts.tools.dump;
  const artifact = artifactName(`dump.sql${compressionSuffix(compression)}`, context.encryptTo);
  const file = await streamCommandsToFile([inTarget(mysqlDump(dumpTool, target.url, target.password)), alterDatabaseInPlace(), compress(compression), ...encryptStage(context.encryptTo)], join(context.partialDir, artifact), {
    secrets: [target.password],
    hashLastInput: context.encryptTo !== undefined,
    cancelSignal: context.cancelSignal,
    onProgress: context.onProgress,
  });
  const dumpVersion = (await runCommand(inTarget(mysqlToolVersion(dumpTool)), { cancelSignal: context.cancelSignal })).trim();
  return {
    artifact,
    ...streamedHashes(file),
    compression,
    serverVersion: facts.serverVersion,
    toolVersions: { [dumpTool]: dumpVersion },
    ...(facts.databaseDefaults && { databaseDefaults: facts.databaseDefaults }),
    alterDatabaseUnnamed: true,
    tables: facts.tables,
    rowCountConsistency: 'adjacent',
    privilegeCheck: 'not-run',
  };
}
