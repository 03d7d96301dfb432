import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordDeployOutcome } from '../../src/records/deploy-records.js';
import { DrillStore } from '../../src/records/drill-store.js';
import { RestoreLog } from '../../src/records/restore-log.js';
import { parseConfig, type OpsConfig } from '../../src/config/load-config.js';
import { stampOf } from '../../src/core/backup-id.js';
import type { BackupManifest, VerifyRecord } from '../../src/core/backup-record.js';

const HOUR = 3_600_000;

/**
 * A repository as a week of real runs leaves it, written as the workflows write it:
 * - crm (postgres): a passed backup 30h ago, one that failed verify 20h ago, an unverified one 2h ago,
 *   a passed drill 10h ago, and two `ops restore` runs 8h and 5h ago: one passed (RTO 73.25 s), then one failed;
 * - docs (files): configured, never backed up;
 * - old: on disk but no longer configured;
 * - deploys.jsonl: a succeeded then a failed deploy of crm-web.
 * Times are relative to `now`, so ages read back as now-relative hours plus the test's runtime.
 */
export async function writeMetricsFixture(dir: string, now = Date.now()): Promise<{ now: number }> {
  const config = metricsFixtureConfig(dir);
  const at = (hoursAgo: number, plusSeconds = 0) => new Date(now - hoursAgo * HOUR + plusSeconds * 1000).toISOString();
  const backup = async (target: string, finishedAt: string, dumpSeconds: number, bytes: number, verify?: Omit<VerifyRecord, 'restoredInto' | 'reasons' | 'rowCountDifferences'>) => {
    const stamp = stampOf(new Date(finishedAt));
    const backupDir = join(config.repository, target, stamp);
    await mkdir(backupDir, { recursive: true });
    const manifest: BackupManifest = {
      formatVersion: 1, id: `${target}-${stamp}`, target, kind: 'postgres', artifact: 'dump.pgc',
      startedAt: new Date(Date.parse(finishedAt) - dumpSeconds * 1000).toISOString(), finishedAt, bytes, sha256: 'e3b0', toolVersions: { pg_dump: '17.2' },
    };
    await writeFile(join(backupDir, 'manifest.json'), JSON.stringify(manifest));
    if (verify) await writeFile(join(backupDir, 'verify.json'), JSON.stringify({ restoredInto: 'verify_crm', reasons: [], rowCountDifferences: [], ...verify }));
  };

  await backup('crm', at(30), 100, 1_000_000, { status: 'passed', startedAt: at(29), finishedAt: at(29, 45), restoreSeconds: 42 });
  await backup('crm', at(20), 80, 1_200_000, { status: 'failed', startedAt: at(19), finishedAt: at(19, 40), restoreSeconds: 41 });
  await backup('crm', at(2), 75, 1_300_000);
  await backup('old', at(40 * 24), 10, 4096);
  await new DrillStore(config.repository).write({
    id: 'drill-crm-1', target: 'crm', backupId: 'crm-x', status: 'passed', startedAt: at(10, -60), finishedAt: at(10), restoreSeconds: 55.5, reasons: [],
  });
  const restores = new RestoreLog(config.repository);
  await restores.append({ workflowId: 'restore-crm-1', target: 'crm', status: 'passed', startedAt: at(8, -74), finishedAt: at(8), backupId: 'crm-x', database: 'crm_restored_1', rtoSeconds: 73.25 });
  await restores.append({ workflowId: 'restore-crm-2', target: 'crm', status: 'failed', startedAt: at(5, -30), finishedAt: at(5), backupId: 'crm-x' });

  await recordDeployOutcome(config, {
    app: 'crm-web', outcome: 'succeeded', startedAt: at(6), finishedAt: at(6, 300),
    stages: [
      { stage: 'staging', outcome: 'succeeded', steps: [{ step: 'build', seconds: 95 }, { step: 'health', seconds: 4 }] },
      { stage: 'production', outcome: 'succeeded', steps: [{ step: 'build', seconds: 101 }, { step: 'health', seconds: 6 }] },
    ],
  });
  await recordDeployOutcome(config, {
    app: 'crm-web', outcome: 'failed', startedAt: at(1), finishedAt: at(1, 120),
    stages: [
      { stage: 'staging', outcome: 'failed', steps: [{ step: 'build', seconds: 117.5 }] },
      { stage: 'production', outcome: 'skipped', steps: [] },
    ],
  });
  return { now };
}

export function metricsFixtureConfig(dir: string, prefix?: string): OpsConfig {
  return parseConfig(
    [
      `stateDir: ${dir}/state`,
      `repository: ${dir}/repo`,
      `reports: ${dir}/reports`,
      'timeZone: UTC',
      ...(prefix === undefined ? [] : [`metrics: { prefix: ${prefix} }`]),
      'databases:',
      '  - { name: crm, url: "postgres://ops@127.0.0.1:5432/crm" }',
      'files:',
      `  - { name: docs, source: ${dir}/docs }`,
      'backup:',
      '  verify:',
      '    postgres: { url: "postgres://admin@127.0.0.1:5432/postgres" }',
    ].join('\n'),
    join(dir, 'ops.config.yaml'),
    {},
  );
}
