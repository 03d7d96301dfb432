import { inService, type ServiceExec } from '../../commands/compose-exec.js';
import { mysqlScript } from '../../commands/mysql.js';
import { psqlScript } from '../../commands/postgres.js';
import type { SshSettings } from '../../commands/ssh.js';
import type { DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';
import { MYSQL_SERVICE_SCRIPT, MYSQL_TOOLS_PROBE, parseMysqlServiceOutput } from './mysql-service-queries.js';
import { parsePostgresServiceOutput, POSTGRES_SERVICE_SCRIPT, type PostgresServiceFacts } from './postgres-service-queries.js';

/** psql exits 3 for an error in the script (a refused privilege, a bad query): the inputs' fault. Other failures (ssh, docker, a connection) may pass on a retry. */
const unlessScriptError = (exitCode: number | undefined) => exitCode !== 3;

/** Version, role, privilege gaps and row counts, read by psql inside the target's compose service. */
export async function postgresFactsInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, cancelSignal?: AbortSignal): Promise<PostgresServiceFacts> {
  const command = inService(ssh, exec, { ...psqlScript(target.url, target.password), input: POSTGRES_SERVICE_SCRIPT });
  const output = await runCommand(command, { secrets: [target.password], retryable: unlessScriptError, ...(cancelSignal ? { cancelSignal } : {}) });
  return parsePostgresServiceOutput(output);
}

export interface MysqlServiceTools {
  /** mariadb-dump or mysqldump, whichever the service's image has */
  dump: string;
  /** mariadb or mysql */
  client: string;
}

/** The tool names, version and row counts, read by the client inside the target's compose service. */
export async function mysqlFactsInService(target: DatabaseTarget, exec: ServiceExec, ssh: SshSettings, cancelSignal?: AbortSignal) {
  const signal = cancelSignal ? { cancelSignal } : {};
  const [dump, client] = (await runCommand(inService(ssh, exec, { file: 'sh', args: ['-c', MYSQL_TOOLS_PROBE] }), signal)).trim().split('\n');
  if (!dump || !client) throw new PreconditionFailed(`service ${exec.service} of compose project ${exec.project} has no mariadb-dump/mysqldump and mariadb/mysql client`);
  const command = inService(ssh, exec, { ...mysqlScript(client, target.url, target.password), input: MYSQL_SERVICE_SCRIPT });
  const facts = parseMysqlServiceOutput(await runCommand(command, { secrets: [target.password], ...signal }));
  const tools: MysqlServiceTools = { dump, client };
  return { ...facts, tools };
}
