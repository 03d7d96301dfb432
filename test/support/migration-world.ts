import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { makeBackupFixture, type BackupFixture } from './backup-fixture.js';
import { deployWorldForTest, type DeployWorld, type OnFinished } from './deploy-world.js';

export interface MigrationWorld {
  world: DeployWorld;
  /** The seeded PostgreSQL database `migrate.database` names, with its repository and verify server. */
  backup: BackupFixture;
}

/**
 * A deploy world whose app migrates a real PostgreSQL database (the backup fixture's), backed up into
 * the backup fixture's repository and verified on the test server. `migrate` and `database` adjust
 * the app's migrate: entry and its database target (a failing assertion, say); `backupEdit` the
 * backup fixture's document (targetsAsAdmin, for a restore that replaces the database).
 */
export async function migrationWorldForTest(
  onFinished: OnFinished,
  options: { migrate?: Record<string, unknown>; database?: Record<string, unknown>; backupEdit?: (doc: Record<string, any>) => void } = {},
): Promise<MigrationWorld> {
  const backup = await makeBackupFixture({ offsite: 'none', ...(options.backupEdit ? { edit: options.backupEdit } : {}) });
  onFinished(() => backup.cleanup());
  const backupDoc = parse(await readFile(backup.configFile, 'utf8')) as Record<string, any>;
  const world = await deployWorldForTest(
    {
      env: backup.env,
      edit: (doc) => {
        doc.repository = backupDoc.repository;
        doc.databases = [{ ...backupDoc.databases[0], ...options.database }];
        doc.backup = { verify: { postgres: backupDoc.backup.verify.postgres } };
        doc.apps[0].migrate = { command: ['true'], database: backup.targets.postgres, when: { paths: ['migrations/**'] }, ...options.migrate };
      },
    },
    onFinished,
  );
  return { world, backup };
}
