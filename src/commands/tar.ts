import type { Command } from './command.js';

/*
 * GNU tar as a stream stage for sealed files snapshots. Paths inside the archive are relative
 * (`./a/b`), sorted, with numeric owners, so the same tree always gives the same archive.
 */

/**
 * Writes an archive of `dir`'s contents to stdout. --hard-dereference: a second name of a
 * hard-linked file is stored as a file, not as a link entry, which --to-command would skip.
 */
export function tarCreate(dir: string): Command {
  return { file: 'tar', args: ['--create', '--file=-', `--directory=${dir}`, '--sort=name', '--numeric-owner', '--hard-dereference', '--', '.'] };
}

/** Extracts the archive on stdin into `dir`, which must exist. */
export function tarExtract(dir: string): Command {
  return { file: 'tar', args: ['--extract', '--file=-', `--directory=${dir}`, '--numeric-owner'] };
}

/**
 * Reads the archive on stdin and prints, for every regular file, `<sha256> <size> <path>` ended by
 * NUL (a name may hold spaces or newlines), writing nothing to disk: tar hands each file's bytes to
 * the command on its stdin. The command is tar's own `sh -c` string, constant: names reach it only
 * as tar's environment variables, never inside the string.
 */
export function tarHashEntries(): Command {
  return { file: 'tar', args: ['--extract', '--file=-', `--to-command=${HASH_ENTRY}`] };
}

const HASH_ENTRY = 'h=$(sha256sum) && printf "%s %s %s\\0" "${h%% *}" "$TAR_SIZE" "$TAR_FILENAME"';
