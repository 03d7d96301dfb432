import { describe, expect, it } from 'vitest';
import { triggerOfRun } from '../../src/core/backup-id.js';
import { triggerOf, type BackupEntry, type BackupManifest } from '../../src/core/backup-record.js';

const manifest: BackupManifest = {
  formatVersion: 1, id: 'crm-20261122T020000Z', target: 'crm', kind: 'postgres', artifact: 'dump.pgc',
  startedAt: '2026-11-22T02:00:00Z', finishedAt: '2026-11-22T02:01:00Z', bytes: 1, sha256: 'abc', toolVersions: {},
};

function entry(trigger: BackupManifest['trigger'] | undefined, verifiedBy?: string): Pick<BackupEntry, 'target' | 'manifest' | 'verify'> {
  return {
    target: 'crm',
    manifest: { ...manifest, ...(trigger ? { trigger } : {}) },
    ...(verifiedBy ? { verify: { status: 'passed', startedAt: manifest.finishedAt, restoredInto: 'x', reasons: [], rowCountDifferences: [], workflowId: verifiedBy } } : {}),
  };
}

describe('triggerOfRun', () => {
  it.each([
    ['backup-20261122T093000Z-manual', 'manual'],
    ['nightly-backup-2026-11-22T01:00:00Z', 'scheduled'],
    ['backup-manual-20261122T093000Z', 'scheduled'],
  ])('%s -> %s', (workflowId, trigger) => {
    expect(triggerOfRun(workflowId)).toBe(trigger);
  });
});

describe('triggerOf', () => {
  it.each<[string, ReturnType<typeof entry>, 'scheduled' | 'manual']>([
    ['recorded manual', entry('manual'), 'manual'],
    ['recorded scheduled, whatever verified it', entry('scheduled', 'backup-20261122T093000Z-manual-crm'), 'scheduled'],
    ['an old manifest verified by a manual run’s old child id <run id>-<target>', entry(undefined, 'backup-20261122T093000Z-manual-crm'), 'manual'],
    ['an old manifest verified by the scheduled run’s old child id', entry(undefined, 'nightly-backup-2026-11-22T01:00:00Z-crm'), 'scheduled'],
    ['an old manifest verified under the target lock id: nothing tells, so scheduled', entry(undefined, 'backup-crm'), 'scheduled'],
    ['an old manifest never verified', entry(undefined), 'scheduled'],
  ])('%s', (_name, given, trigger) => {
    expect(triggerOf(given)).toBe(trigger);
  });
});
