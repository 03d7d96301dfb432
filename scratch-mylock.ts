import { startMariadb } from './src/local-servers/mariadb-server.js';
import { seedDemoMariadb } from './src/local-servers/demo-data.js';
import { dumpMysql } from './src/activities/backup/dump-mysql.js';
import { Secret } from './src/config/secret.js';
import { mkdtemp } from 'node:fs/promises';
import mysql from 'mysql2/promise';
const dir = await mkdtemp('/tmp/scratch/my-');
const my = await startMariadb({ dataDir: dir + '/data' });
try {
  await seedDemoMariadb(my, { database: 'shop', readerUser: 'reader', readerPassword: 'pw' });
  const admin = await mysql.createConnection({ host: my.host, port: my.port, user: my.adminUser, password: my.adminPassword });
  await admin.query("SET GLOBAL general_log_file='" + dir + "/general.log'");
  await admin.query("SET GLOBAL general_log=1");
  for (let i=0;i<15;i++){ const t0 = Date.now();
  const out = await dumpMysql({ name: 'x', kind: 'mysql', url: { scheme: 'mysql', host: my.host, port: my.port, user: 'reader', database: 'shop' } as any, password: new Secret('pw', 'test'), assertions: [] } as any, 'zstd', { partialDir: await mkdtemp(dir+'/p'), cancelSignal: new AbortController().signal, onProgress: () => {} });
  console.log('took', Date.now() - t0, out.rowCountConsistency);}
  await admin.end();
} finally { await my.stop(); }
console.log(dir);
