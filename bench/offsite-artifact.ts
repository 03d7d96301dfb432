import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { BackupRepository } from '../src/records/backup-repository.js';
import { pgDump } from '../src/commands/postgres.js';
import { Secret } from '../src/config/secret.js';
import { backupId, stampOf } from '../src/core/backup-id.js';
import type { BackupEntry } from '../src/core/backup-record.js';
import { startBenchPostgres } from './bench-database.js';
import type { Teardown } from './teardown.js';

const DATABASE = 'offsite_bench';
/** Bytes of bytea per row: 32 md5 digests, which no compressor shrinks, so the dump is about the table's size. */
const ROW_BYTES = 512;
const ROWS_PER_ROUND = 100_000;

/**
 * One real backup in a repository under `root`: a throwaway PostgreSQL with a table of random
 * bytea filled to about `targetBytes`, dumped with ops' own pg_dump command (custom format) into
 * <repository>/<target>/<stamp>/dump.dump beside its manifest, as the chain would leave it.
 */
export async function makeDumpBackup(root: string, target: string, targetBytes: number, teardown: Teardown, log: (line: string) => void): Promise<BackupEntry> {
  const { server, client } = await startBenchPostgres(root, DATABASE, teardown, log);
  try {
    // Stored uncompressed: random bytes gain nothing from TOAST's compression attempt.
    await client.query('CREATE TABLE blobs (id bigint PRIMARY KEY, payload bytea NOT NULL); ALTER TABLE blobs ALTER payload SET STORAGE EXTERNAL');
    const rounds = Math.ceil(targetBytes / ROW_BYTES / ROWS_PER_ROUND);
    for (let round = 0; round < rounds; round++) {
      await client.query(
        `INSERT INTO blobs SELECT g, decode((SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, ${ROW_BYTES / 16}) i), 'hex')
         FROM generate_series($1::bigint, $2::bigint) g`,
        [round * ROWS_PER_ROUND + 1, (round + 1) * ROWS_PER_ROUND],
      );
      if ((round + 1) % 5 === 0 || round + 1 === rounds) log(`filled ${round + 1}/${rounds} rounds`);
    }
  } finally {
    await client.end();
  }

  const repository = new BackupRepository(join(root, 'repo'));
  const stamp = stampOf(new Date());
  const partial = await repository.startPartial(target, stamp, 1);
  const dump = pgDump({ engine: 'postgres', user: server.adminUser, host: server.host, port: server.port, database: DATABASE }, new Secret(server.adminPassword, 'bench'));
  const startedAt = new Date().toISOString();
  const child = execa(dump.file, dump.args, { env: dump.env ?? {}, stdin: 'ignore', stdout: 'pipe', buffer: { stdout: false } });
  const hash = createHash('sha256');
  const file = join(partial, 'dump.dump');
  const out = createWriteStream(file, { mode: 0o600 });
  child.stdout.on('data', (chunk: Buffer) => hash.update(chunk));
  await Promise.all([pipeline(child.stdout, out), child]);
  const bytes = (await stat(file)).size;
  const { stdout: version } = await execa('pg_dump', ['--version']);
  await repository.commit(partial, {
    formatVersion: 1,
    id: backupId(target, stamp),
    target,
    kind: 'postgres',
    artifact: 'dump.dump',
    startedAt,
    finishedAt: new Date().toISOString(),
    bytes,
    sha256: hash.digest('hex'),
    compression: 'gzip',
    toolVersions: { pg_dump: version.trim() },
  });
  return repository.get(backupId(target, stamp));
}
