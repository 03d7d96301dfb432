import { readdir, readFile } from 'node:fs/promises';

/** ENOENT means "nothing recorded yet" for the repository's files and dirs; any other error is real. */
async function unlessMissing<T>(read: () => Promise<T>, missing: T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw err;
  }
}

/** A directory's entry names; none when it does not exist yet. */
export function listNames(dir: string): Promise<string[]> {
  return unlessMissing(() => readdir(dir), []);
}

/** A file's text; undefined when it does not exist yet. */
export function readTextIfExists(file: string): Promise<string | undefined> {
  return unlessMissing<string | undefined>(() => readFile(file, 'utf8'), undefined);
}
