import { inService, type ServiceExec } from '../../commands/compose-exec.js';
import { mysqlScript } from '../../commands/mysql.js';
import { psqlScript } from '../../commands/postgres.js';
import type { SshSettings } from '../../commands/ssh.js';
import { describeReach, type DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';
import { mysqlServiceScript, MYSQL_TOOLS_PROBE, parseMysqlServiceOutput } from './mysql-service-queries.js';
import { parsePostgresServiceOutput, postgresServiceScript, type PostgresServiceFacts } from './postgres-service-queries.js';

/** Runs `run` against the target's service; a failure says where it ran ("ssh failed (exit 1): ..." names neither host nor service). */
export async function inTargetService<T>(target: DatabaseTarget, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message} (${describeReach(target)})`;
    throw err;
  }
}

/** psql exits 3 for an error in the script (a refused privilege, a bad query): the inputs' fault. Other failures (ssh, docker, a connection) may pass on a retry. */
const unlessScriptError = (exitCode: number | undefined) => exitCode !== 3;

export interface FactOptions {
  /** Count every table's rows (a dump) or not (a check ahead of the night). */
  counts: boolean;
  cancelSignal?: AbortSignal;
}

/** The version, role, privilege gaps and row counts, read by psql inside the target's compose service. */
export async function postgresFactsInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, options: FactOptions): Promise<PostgresServiceFacts> {
  const command = inService(ssh, exec, { ...psqlScript(target.url, target.password), input: postgresServiceScript(options) });
  const output = await runCommand(command, { secrets: [target.password], retryable: unlessScriptError, ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}) });
  return parsePostgresServiceOutput(output);
}

export interface MysqlServiceTools {
  /** mariadb-dump or mysqldump, whichever the service's image has */
  dump: string;
  /** mariadb or mysql */
  client: string;
}

/** The tool names, the version and the row counts, read by the client inside the target's compose service. */
export async function mysqlFactsInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, options: FactOptions) {
  const signal = options.cancelSignal ? { cancelSignal: options.cancelSignal } : {};
  const [dump, client] = (await runCommand(inService(ssh, exec, { file: 'sh', args: ['-c', MYSQL_TOOLS_PROBE] }), signal)).trim().split('\n');
  if (!dump || !client) throw new PreconditionFailed(`service ${exec.service} of compose project ${exec.project} has no mariadb-dump/mysqldump and mariadb/mysql client`);
  const command = inService(ssh, exec, { ...mysqlScript(client, target.url, target.password), input: mysqlServiceScript(options) });
  const facts = parseMysqlServiceOutput(await runCommand(command, { secrets: [target.password], ...signal }));
  const tools: MysqlServiceTools = { dump, client };
  return { ...facts, tools };
}
