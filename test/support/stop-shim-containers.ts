import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The shim's "containers" are detached processes that outlive every ssh session; stop any a test left behind. */
export async function stopShimContainers(stateDir: string): Promise<void> {
  const records = (await readdir(stateDir).catch(() => [])).filter((name) => name.endsWith('.json'));
  for (const name of records) {
    const { pid, projectDir } = JSON.parse(await readFile(join(stateDir, name), 'utf8')) as { pid: number; projectDir: string };
    // A recycled pid would run something else; only kill the group of the server the shim started.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(projectDir)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Exited since the check.
    }
  }
}
