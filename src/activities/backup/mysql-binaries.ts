import { PreconditionFailed } from '../../core/errors.js';
import { findExecutable } from '../process/find-executable.js';

/** MariaDB renamed its clients; prefer the new names and fall back to the MySQL ones. */
export function mysqlBinaries(): { dump: string; client: string } {
  const dump = findExecutable(['mariadb-dump', 'mysqldump']);
  const client = findExecutable(['mariadb', 'mysql']);
  if (!dump || !client) throw new PreconditionFailed('neither mariadb-dump/mariadb nor mysqldump/mysql is installed on this worker');
  return { dump, client };
}
