import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The first line of every age file: what each stored byte of an encrypted backup must start with. */
export const AGE_HEADER = 'age-encryption.org/v1\n';

/** Every file under `dir`, recursively; none when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
