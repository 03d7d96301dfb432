import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pgDump } from '../src/commands/postgres.js';
import { Secret } from '../src/config/secret.js';
import { createBenchDatabase } from './bench-database.js';
import { Teardown } from './teardown.js';

const log = (line: string) => console.error(`[probe] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
try {
  const root = await mkdtemp(join(tmpdir(), 'ops-probe-'));
  teardown.defer('rm', () => rm(root, { recursive: true, force: true }));
  await chmod(root, 0o755);
  const db = await createBenchDatabase(root, 1024 * 2 ** 20, teardown, log);
  const cmd = pgDump(db.reader, new Secret(db.readerPassword, 'r'));
  const file = join(root, 'x.pgc');
  const argv = cmd.args.map((a) => `'${a}'`).join(' ');
  const variants: Record<string, string> = {
    'pg_dump > file      ': `pg_dump ${argv} > ${file}`,
    'pg_dump | cat > file': `pg_dump ${argv} | cat > ${file}`,
  };
  for (let i = 0; i < 3; i++) {
    for (const [name, script] of Object.entries(variants)) {
      const server = db.serverCpuSeconds();
      const r = await execa('bash', ['-c', `/usr/bin/time -f '%e s wall, pg_dump %U user %S sys' bash -c "$0"`, script], { env: { ...cmd.env } });
      console.log(`${name}: ${r.stderr.trim()}, server ${(db.serverCpuSeconds() - server).toFixed(2)} s cpu (load ${loadavg()[0]!.toFixed(2)})`);
      await rm(file);
    }
  }
} finally {
  await teardown.run(log);
}
