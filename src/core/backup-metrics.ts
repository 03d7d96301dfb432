import type { BackupEntry } from './backup-record.js';

export interface TargetMetrics {
  target: string;
  lastDumpAgeMinutes?: number;
  lastVerifyAgeHours?: number;
  lastBackupBytes?: number;
  lastRestoreSeconds?: number;
  backups: number;
}

/** The health figures Prometheus scrapes, computed from the repository's records. */
export function backupMetrics(entries: BackupEntry[], now: Date): TargetMetrics[] {
  const byTarget = new Map<string, BackupEntry[]>();
  for (const entry of entries) byTarget.set(entry.target, [...(byTarget.get(entry.target) ?? []), entry]);
  return [...byTarget.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([target, list]) => {
    const sorted = [...list].sort((a, b) => a.manifest.finishedAt.localeCompare(b.manifest.finishedAt));
    const newest = sorted.at(-1);
    const verified = sorted.filter((e) => e.verify?.status === 'passed').at(-1);
    const ageMs = (iso: string) => now.getTime() - Date.parse(iso);
    return {
      target,
      backups: sorted.length,
      ...(newest ? { lastDumpAgeMinutes: ageMs(newest.manifest.finishedAt) / 60_000, lastBackupBytes: newest.manifest.bytes } : {}),
      ...(verified?.verify?.finishedAt ? { lastVerifyAgeHours: ageMs(verified.verify.finishedAt) / 3_600_000 } : {}),
      ...(verified?.verify?.restoreSeconds !== undefined ? { lastRestoreSeconds: verified.verify.restoreSeconds } : {}),
    };
  });
}
