/**
 * Backup ids are `<target>-<stamp>`, the stamp a compact UTC time (20261122T020000Z) that
 * sorts chronologically as text and contains no '-', so the id splits at its last '-'.
 */
export function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function dateOfStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) throw new Error(`not a backup stamp: "${stamp}"`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

export function isStamp(text: string): boolean {
  return /^\d{8}T\d{6}Z$/.test(text);
}

export function backupId(target: string, stamp: string): string {
  return `${target}-${stamp}`;
}

export function parseBackupId(id: string): { target: string; stamp: string } {
  const cut = id.lastIndexOf('-');
  const target = id.slice(0, cut);
  const stamp = id.slice(cut + 1);
  if (cut <= 0 || !isStamp(stamp)) throw new Error(`not a backup id: "${id}" (expected <target>-<YYYYMMDDTHHMMSSZ>)`);
  return { target, stamp };
}

/** verify_<target>_<stamp>: the stamp tells a worker how old a leftover scratch database is. */
export function verifyDatabaseName(target: string, now: Date): string {
  return `verify_${target.replace(/-/g, '_')}_${stampOf(now).toLowerCase()}`;
}

export function verifyDatabaseAge(name: string, now: Date): number | undefined {
  const m = /^verify_.+_(\d{8}t\d{6}z)$/.exec(name);
  if (!m) return undefined;
  return now.getTime() - dateOfStamp(m[1]!.toUpperCase()).getTime();
}
