import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, type OpsConfig } from '../../src/config/load-config.js';
import { seedDemoMariadb, seedDemoPostgres } from '../../src/local-servers/demo-data.js';
import { testServers } from './servers.js';

export interface BackupFixture {
  id: string;
  dir: string;
  config: OpsConfig;
  configFile: string;
  env: Record<string, string>;
  pgDatabase: string;
  myDatabase: string;
  /** The configured target names, as they appear in backup ids, paths and messages. */
  targets: { postgres: string; mysql: string; files: string };
  filesDir: string;
  offsiteDir: string;
  cleanup(): Promise<void>;
}

export interface FixtureOptions {
  offsite?: 'local' | 'ssh' | 'none';
  filesSource?: 'local' | 'ssh';
  /** Adjust the config document before it is written (break a password, add assertions, ...). */
  edit?: (doc: Record<string, any>) => void;
  /** Extra environment variables for the config loader, e.g. a wrong password an edited doc refers to. */
  env?: Record<string, string>;
}

/**
 * A private world for one test file: a PostgreSQL and a MariaDB database with read-only users,
 * a directory of files, a repository, an offsite dir, and an ops.config.yaml that names them,
 * loaded through the real config loader.
 */
export async function makeBackupFixture(options: FixtureOptions = {}): Promise<BackupFixture> {
  const { postgres, mariadb, sshd, scratchRoot } = testServers();
  const id = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(scratchRoot, `fx-${id}-`));
  await chmod(dir, 0o755);
  const pgDatabase = `app_${id}`;
  const myDatabase = `shop_${id}`;
  const reader = `reader_${id}`;
  const env = { PG_READER_PASSWORD: `pg-${randomBytes(8).toString('hex')}`, MY_READER_PASSWORD: `my-${randomBytes(8).toString('hex')}`, ...options.env };
  const targets = { postgres: `pg-${id}`, mysql: `my-${id}`, files: `files-${id}` };

  await seedDemoPostgres(postgres, { database: pgDatabase, readerUser: reader, readerPassword: env.PG_READER_PASSWORD });
  await seedDemoMariadb(mariadb, { database: myDatabase, readerUser: reader, readerPassword: env.MY_READER_PASSWORD });

  const filesDir = join(dir, 'uploads');
  await mkdir(join(filesDir, 'nested'), { recursive: true });
  await writeFile(join(filesDir, 'a.txt'), 'alpha\n');
  await writeFile(join(filesDir, 'nested', 'b.bin'), randomBytes(50_000));
  const offsiteDir = join(dir, 'offsite');
  await mkdir(offsiteDir);
  const adminPasswordFile = join(dir, 'admin-pg.secret');
  const myAdminPasswordFile = join(dir, 'admin-my.secret');
  await writeFile(adminPasswordFile, postgres.adminPassword, { mode: 0o600 });
  await writeFile(myAdminPasswordFile, mariadb.adminPassword, { mode: 0o600 });

  const sshUrl = (path: string) => `ssh://${sshd.user}@${sshd.host}:${sshd.port}${path}`;
  const offsite = options.offsite ?? 'local';
  const doc: Record<string, any> = {
    stateDir: join(dir, 'state'),
    repository: join(dir, 'repo'),
    reports: join(dir, 'reports'),
    ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
    databases: [
      { name: targets.postgres, url: `postgres://${reader}@${postgres.host}:${postgres.port}/${pgDatabase}`, password: '${PG_READER_PASSWORD}' },
      { name: targets.mysql, url: `mysql://${reader}@${mariadb.host}:${mariadb.port}/${myDatabase}`, password: '${MY_READER_PASSWORD}' },
    ],
    files: [{ name: targets.files, source: options.filesSource === 'ssh' ? sshUrl(filesDir) : filesDir, exclude: ['*.tmp'] }],
    backup: {
      ...(offsite === 'none' ? {} : { offsite: offsite === 'ssh' ? sshUrl(offsiteDir) : offsiteDir }),
      verify: {
        postgres: { url: `postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/postgres`, password: `file:${adminPasswordFile}` },
        mysql: { url: `mysql://${mariadb.adminUser}@${mariadb.host}:${mariadb.port}`, password: `file:${myAdminPasswordFile}` },
      },
    },
  };
  options.edit?.(doc);
  const configFile = join(dir, 'ops.config.yaml');
  await writeFile(configFile, stringify(doc));
  const config = loadConfig(configFile, env);
  return {
    id, dir, config, configFile, env, pgDatabase, myDatabase, targets, filesDir, offsiteDir,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
