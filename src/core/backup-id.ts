/**
 * Backup ids are `<target>-<stamp>`, the stamp a compact UTC time (20261122T020000Z) that
 * sorts chronologically as text and contains no '-', so the id splits at its last '-'.
 */
export function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function dateOfStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  // Date.UTC rolls month 13 into next year; a stamp must name a real instant.
  if (!date || stampOf(date) !== stamp) throw new Error(`not a backup stamp: "${stamp}"`);
  return date;
}

/** Who started a backup: the schedule (or anything else that runs the chain), or a person with `ops backup`. */
export type BackupTrigger = 'scheduled' | 'manual';

/** `ops backup` names its runs backup-<stamp>-manual; retention tells its backups apart by it. */
export const MANUAL_RUN_SUFFIX = '-manual';

export function triggerOfRun(workflowId: string): BackupTrigger {
  return workflowId.endsWith(MANUAL_RUN_SUFFIX) ? 'manual' : 'scheduled';
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

/** Why `id` cannot name a backup of `target`: not a backup id at all, or another target's. */
export function backupIdProblem(id: string, target: string): string | undefined {
  let parsed: { target: string; stamp: string };
  try {
    parsed = parseBackupId(id);
  } catch (err) {
    return (err as Error).message;
  }
  return parsed.target === target ? undefined : `${id} is a backup of ${parsed.target}, not of ${target}`;
}

/**
 * verify_<target>_<hash>_<stamp>: the stamp tells a worker how old a leftover scratch database is;
 * the short hash keeps targets like my-app and my_app apart once '-' becomes '_'. At most
 * 7 + 30 + 1 + 6 + 1 + 16 = 61 characters, within PostgreSQL's 63 and MySQL's 64.
 */
export function verifyDatabaseName(target: string, now: Date): string {
  return scratchName('verify_', target, now);
}

/**
 * restore_<target>_<hash>_<stamp>: where `ops restore` loads and checks a backup before renaming it
 * to its final name, so a worker killed mid-restore leaves a scratch name, never a final one. Its
 * own prefix, because its owner's lock lives on the target's server, which only restores sweep.
 */
export function restoreScratchName(target: string, now: Date): string {
  return scratchName('restore_', target, now);
}

/** The prefixes of ops's scratch databases; sweeps look only at names of this shape. */
export type ScratchPrefix = 'verify_' | 'restore_';

function scratchName(prefix: ScratchPrefix, target: string, now: Date): string {
  return `${prefix}${target.replace(/-/g, '_').slice(0, 30)}_${shortHash(target)}_${stampOf(now).toLowerCase()}`;
}

/**
 * The PostgreSQL advisory lock key a verify holds while it uses its scratch database: FNV-1a of
 * the name in 64 bits, as the signed bigint pg_try_advisory_lock takes (a decimal string, since
 * a JS number cannot hold it). Workers that see the key free know the database's owner is gone.
 */
export function scratchLockKey(name: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return BigInt.asIntN(64, hash).toString();
}

/** FNV-1a, 24 bits as 6 hex digits: deterministic and dependency-free, so workflows may use it too. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return (hash & 0xffffff).toString(16).padStart(6, '0');
}

/** How old a scratch database (verify_* or restore_*) is by its name's stamp; undefined for any other name. */
export function scratchDatabaseAge(name: string, now: Date): number | undefined {
  const m = /^(?:verify|restore)_.+_(\d{8}t\d{6}z)$/.exec(name);
  if (!m) return undefined;
  return now.getTime() - dateOfStamp(m[1]!.toUpperCase()).getTime();
}
