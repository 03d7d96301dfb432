import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first of the given names found on PATH (e.g. mariadb-dump before mysqldump). */
export function findExecutable(names: string[], path = process.env.PATH ?? ''): string | undefined {
  for (const name of names) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return name;
      } catch {
        continue;
      }
    }
  }
  return undefined;
}
