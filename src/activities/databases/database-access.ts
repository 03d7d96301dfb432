import type { ServiceExec } from '../../commands/compose-exec.js';
import type { SshSettings } from '../../commands/ssh.js';
import { describeAddress } from '../../config/database-url.js';
import type { DatabaseTarget } from '../../config/target.js';
import { privilegeGapLines } from '../../core/privilege-gaps.js';
import { classifyConnectionError } from './connection-errors.js';
import { connectMysql } from './mysql-client.js';
import { mysqlPrivilegeGaps } from './mysql-privileges.js';
import { connectPostgres } from './postgres-client.js';
import { postgresPrivilegeGaps } from './postgres-privileges.js';
import { reachDatabase } from './reach-database.js';
import { inTargetService, mysqlFactsInService, postgresFactsInService } from './service-facts.js';

/**
 * What a dump of this target would fail on, found by connecting once as its role and running the
 * dump's own privilege check: one line per problem (cannot connect, or an object and the grant it
 * needs); none when the dump would pass. For checks ahead of the night (`ops config check --connect`).
 */
export async function databaseAccessProblems(target: DatabaseTarget, ssh: SshSettings): Promise<string[]> {
  try {
    const exec = target.exec;
    if (exec) return await inTargetService(target, () => accessProblemsInService(target, exec, ssh));
    return await reachDatabase(target, ssh, { windowMs: 0 }, accessProblems);
  } catch (err) {
    return [classifyConnectionError(err, describeAddress(target.url)).message];
  }
}

/** In exec mode, what the dump itself checks there, without counting rows: PostgreSQL's gaps; for MySQL/MariaDB, that the client connects. */
async function accessProblemsInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings): Promise<string[]> {
  if (target.kind === 'mysql') {
    await mysqlFactsInService(target, exec, ssh, { counts: false });
    return [];
  }
  const facts = await postgresFactsInService(target, exec, ssh, { counts: false });
  return privilegeGapLines(facts.role, facts.gaps);
}

async function accessProblems(target: DatabaseTarget): Promise<string[]> {
  if (target.kind === 'postgres') {
    const client = await connectPostgres(target.url, target.password);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const access = await postgresPrivilegeGaps(client);
      return privilegeGapLines(access.role, access.gaps);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const connection = await connectMysql(target.url, target.password);
  try {
    const access = await mysqlPrivilegeGaps(connection, target.url.database);
    return privilegeGapLines(access.account, access.gaps);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
