import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inService } from '../../src/commands/compose-exec.js';
import { pgDump } from '../../src/commands/postgres.js';
import { Secret } from '../../src/config/secret.js';

const SCRIPT = 'while IFS= read -r line && [ -n "$line" ]; do export "$line"; done; exec "$@"';
const EXEC = { host: { user: 'deploy', host: 'app1', port: 2222 }, project: 'shop', service: 'db' };
const ADDRESS = { engine: 'postgres' as const, user: 'ops', host: 'localhost', port: 5432, database: 'shop' };

describe('inService', () => {
  it('runs the tool under docker compose exec -T over ssh, its env on stdin and none of it on argv', () => {
    const password = new Secret("pa ss'word$HOME", 'test');
    const command = inService({ options: [] }, EXEC, pgDump(ADDRESS, password));
    expect(command.file).toBe('ssh');
    expect(command.args).toEqual([
      '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-p', '2222', 'deploy@app1', '--',
      `docker compose -p shop exec -T db sh -c '${SCRIPT}' ops-exec pg_dump --format=custom --no-password --host=localhost --port=5432 --username=ops --dbname=shop`,
    ]);
    expect(command.env).toBeUndefined();
    expect(command.args.join(' ')).not.toContain('pa ss');
    expect(command.input).toBe("PGCONNECT_TIMEOUT=10\nPGAPPNAME=ops-backup\nPGPASSWORD=pa ss'word$HOME\n\n");
  });

  it('the tool\'s own input follows the env lines', () => {
    const command = inService({ options: [] }, EXEC, { file: 'psql', args: [], env: { PGPASSWORD: 'x' }, input: 'SELECT 1;\n' });
    expect(command.input).toBe('PGPASSWORD=x\n\nSELECT 1;\n');
  });

  it('a password with a line break cannot be passed, and says so', () => {
    expect(() => inService({ options: [] }, EXEC, { file: 'pg_dump', args: [], env: { PGPASSWORD: 'a\nb' } })).toThrow('PGPASSWORD holds a line break, which cannot be passed into the service on stdin');
  });

  it('the script sets exactly those variables, verbatim, and hands the rest of stdin to the tool', () => {
    const input = "PGPASSWORD=pa ss'word$HOME \\n\nOTHER==x\n\nthe tool's stdin\n";
    const out = execFileSync('sh', ['-c', SCRIPT, 'ops-exec', 'sh', '-c', 'printf "%s|%s|" "$PGPASSWORD" "$OTHER"; cat'], { input, encoding: 'utf8' });
    expect(out).toBe("pa ss'word$HOME \\n|=x|the tool's stdin\n");
  });
});
