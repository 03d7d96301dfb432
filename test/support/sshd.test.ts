import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshClientArgs, startSshd, type LocalSshd } from './sshd.js';

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('startSshd', () => {
  let dir: string;
  let sshd: LocalSshd | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-sshd-'));
    const started = Date.now();
    sshd = await startSshd({ dir: join(dir, 'sshd') });
    console.info(`sshd start (keys and first login included): ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    try {
      await sshd?.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a remote command with the generated key and pinned host key', async () => {
    const result = await execa('ssh', [...sshClientArgs(sshd!), `${sshd!.user}@${sshd!.host}`, 'echo', 'hello']);
    expect(result.stdout).toBe('hello');
  });

  it('refuses a host that is not in known_hosts', async () => {
    const stranger = join(dir, 'empty_known_hosts');
    await writeFile(stranger, '');
    const result = await execa('ssh', [...sshClientArgs({ ...sshd!, knownHostsFile: stranger }), `${sshd!.user}@${sshd!.host}`, 'true'], {
      reject: false,
    });
    expect(result.exitCode).toBe(255);
  });

  it('carries an rsync copy intact', async () => {
    const source = join(dir, 'payload.bin');
    const copy = join(dir, 'copy.bin');
    await writeFile(source, randomBytes(1024 * 1024));
    // rsync splits -e on whitespace itself; these paths have none.
    const rsh = ['ssh', ...sshClientArgs(sshd!)].join(' ');
    await execa('rsync', ['-a', '-e', rsh, source, `${sshd!.user}@${sshd!.host}:${copy}`]);
    expect(await sha256(copy)).toBe(await sha256(source));
  });
});
