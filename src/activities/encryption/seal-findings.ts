import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ageDecrypt, ageEncrypt } from '../../commands/age.js';
import type { Secret } from '../../config/secret.js';
import type { BackupManifest, SealedFindings, VerifyRecord } from '../../core/backup-record.js';
import type { CheckVerdict } from '../../core/check-verdicts.js';
import type { SealedChanges } from '../../core/restore-report.js';
import { sealedReasons } from '../../core/verify-checks.js';
import { runCommand } from '../process/run-command.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import type { RestoreOutcome } from '../verify/restore-outcome.js';
import { identityFor } from './artifact-identity.js';
import { decryptFailure } from './open-artifact.js';

export const SEALED_VERIFY = 'verify.json.age';

/**
 * What a check of a backup records. For an encrypted backup whose findings name tables, files or
 * assertions, those go into the age file `sealedPath` (the same recipients as backups, so only the
 * identity reads them) and the record, like everything made from it (run history, reports,
 * alerts, workflow history), says only counts and where the details are. Anything else is
 * recorded as is.
 */
export async function recordedFindings(manifest: BackupManifest, outcome: RestoreOutcome, recipients: string[] | undefined, sealedPath: string): Promise<Pick<VerifyRecord, 'reasons' | 'rowCountDifferences' | 'sealed'>> {
  // A sealed file of an earlier check would otherwise pass for this one's details.
  await rm(sealedPath, { force: true });
  if (!manifest.encryption || outcome.counted === undefined || outcome.reasons.length === 0) return { reasons: outcome.reasons, rowCountDifferences: outcome.rowCountDifferences };
  if (!recipients) return { reasons: sealedReasons(outcome.counted, undefined), rowCountDifferences: [] };
  const findings: SealedFindings = { reasons: outcome.reasons, rowCountDifferences: outcome.rowCountDifferences };
  await sealJson(findings, recipients, sealedPath);
  return { reasons: sealedReasons(outcome.counted, basename(sealedPath)), rowCountDifferences: [], sealed: basename(sealedPath) };
}

/**
 * What a restore of an encrypted backup tells in the clear. Its checks name every table and
 * assertion, passed or not: those verdicts, the reasons and the row count differences go into the
 * age file `sealedPath`, and the outcome (the run's history, report, alerts and webhooks are made
 * from it) keeps the verdicts by counts, each but the table count saying where the named ones are.
 * An unencrypted backup's outcome, or one whose findings name nothing (a checksum mismatch), is kept as is.
 */
export async function sealedRestoreChecks(manifest: BackupManifest, outcome: RestoreOutcome, recipients: string[] | undefined, sealedPath: string): Promise<RestoreOutcome> {
  // The counted verdicts are this function's input only: the run's result carries one set of verdicts.
  const { countedChecks, ...told } = outcome;
  if (!manifest.encryption) return told;
  // An earlier attempt's file would otherwise pass for this one's details.
  await rm(sealedPath, { force: true });
  if (countedChecks === undefined || outcome.counted === undefined) return told;
  const note = recipients ? `details sealed: ${basename(sealedPath)}` : 'details not kept: backup.encryption has no recipients to seal them to';
  if (recipients) await sealJson({ checks: outcome.checks ?? [], reasons: outcome.reasons, rowCountDifferences: outcome.rowCountDifferences }, recipients, sealedPath);
  return {
    ...told,
    checks: countedChecks.map((c) => (c.check === 'table count' ? c : { ...c, detail: `${c.detail} (${note})` })),
    reasons: outcome.reasons.length > 0 ? sealedReasons(outcome.counted, recipients ? basename(sealedPath) : undefined) : [],
    rowCountDifferences: [],
  };
}

/** A files restore's outcome, as rsync and the checks told it, and its verdicts naming no path. */
export interface SnapshotRestoreTold {
  /** rsync's itemized changes, one path each */
  changes: string[];
  changeCount: number;
  checks: CheckVerdict[];
  countedChecks: CheckVerdict[];
}

/**
 * What a restore of a sealed files snapshot tells in the clear: rsync's changes and the failed
 * checks name customers' files, so they go into the age file `sealedPath`, and the outcome (the
 * run's history, its report, `--wait`) keeps counts and where the names are.
 */
export async function sealedSnapshotRestore(told: SnapshotRestoreTold, recipients: string[] | undefined, sealedPath: string): Promise<{ changes: string[]; sealedChanges?: SealedChanges; checks: CheckVerdict[] }> {
  // An earlier attempt's file would otherwise pass for this one's details.
  await rm(sealedPath, { force: true });
  const failed = told.checks.some((c) => !c.passed);
  if (told.changeCount === 0 && !failed) return { changes: [], checks: told.checks };
  const detail = recipients ? `details sealed: ${basename(sealedPath)}` : 'details not kept: backup.encryption has no recipients to seal them to';
  if (recipients) await sealJson({ changes: told.changes, checks: told.checks }, recipients, sealedPath);
  return {
    changes: [],
    ...(told.changeCount > 0 ? { sealedChanges: { count: told.changeCount, detail } } : {}),
    checks: told.countedChecks.map((c) => (c.passed ? c : { ...c, detail: `${c.detail} (${detail})` })),
  };
}

/** `value` as JSON in the age file `sealedPath`, written under a private name first: never half a file under its name. */
async function sealJson(value: unknown, recipients: string[], sealedPath: string): Promise<void> {
  const temp = join(dirname(sealedPath), `.${basename(sealedPath)}.partial`);
  await mkdir(dirname(sealedPath), { recursive: true });
  try {
    await streamCommandsToFile([{ ...ageEncrypt(recipients), input: JSON.stringify(value) }], temp);
    await rename(temp, sealedPath);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Reads verify.json.age back with the identity, checked against the backup's recipients first. */
export async function openSealedFindings(manifest: BackupManifest, dir: string, sealed: string, identity: Secret | undefined): Promise<SealedFindings> {
  const opener = (await identityFor(manifest, identity))!;
  const text = await runCommand(ageDecrypt(join(dir, sealed), opener), { secrets: [opener], retryable: false }).catch((err: unknown) => {
    throw decryptFailure(err, manifest, sealed);
  });
  return JSON.parse(text) as SealedFindings;
}
