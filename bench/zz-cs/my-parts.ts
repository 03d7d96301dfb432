import { mkdtemp, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import { createBenchMariadb } from '../bench-mariadb.js';
import { Teardown } from '../teardown.js';
import { countMysqlRows } from '../../src/activities/databases/mysql-client.js';
const log = (l: string) => console.error(l);
const teardown = new Teardown();
const root = await mkdtemp('/tmp/zzmy-');
try {
  const db = await createBenchMariadb(root, 256 * 2 ** 20, teardown, log);
  const server = ['--protocol=TCP', `--host=${db.admin.host}`, `--port=${db.admin.port}`, `--user=${db.admin.user}`];
  const env = { MYSQL_PWD: db.server.adminPassword };
  await execa('sh', ['-c', `mariadb-dump --single-transaction --routines --triggers --events --hex-blob --default-character-set=utf8mb4 ${server.join(' ')} -- bench | zstd -q -c -3 -T0 > ${root}/dump.zst`], { env });
  const c = await mysql.createConnection({ host: db.server.host, port: db.server.port, user: db.server.adminUser, password: db.server.adminPassword });
  const t = async (label: string, f: () => Promise<unknown>) => { const s = performance.now(); await f(); console.log(`${label} ${((performance.now() - s) / 1000).toFixed(2)} s`); };
  for (let round = 0; round < 2; round++) {
    for (const withSed of [false, true]) {
      const name = `r${round}_${withSed ? 'sed' : 'plain'}`;
      await c.query(`CREATE DATABASE ${name}`);
      const script = withSed ? `zstd -dc -- ${root}/dump.zst | LC_ALL=C sed -E 's/^ALTER DATABASE \`([^\`]|\`\`)*\` CHARACTER SET /ALTER DATABASE CHARACTER SET /' | mariadb ${server.join(' ')} --default-character-set=utf8mb4 -- ${name}` : `zstd -dc -- ${root}/dump.zst | mariadb ${server.join(' ')} --default-character-set=utf8mb4 -- ${name}`;
      await t(`import ${name}`, () => execa('sh', ['-c', script], { env }));
      await t(`counts ${name}`, () => countMysqlRows(c, name));
      await t(`sha256 of dump`, () => execa('sha256sum', [`${root}/dump.zst`]));
      await c.query(`DROP DATABASE ${name}`);
    }
  }
  await c.end();
} finally {
  await teardown.run(log);
  await rm(root, { recursive: true, force: true });
}
