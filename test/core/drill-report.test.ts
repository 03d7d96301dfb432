import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../src/core/backup-health.js';
import { renderDrillReport } from '../../src/core/drill-report.js';

const drill = (id: string, startedAt: string, finishedAt: string, restoreSeconds: number): DrillRecord => ({
  id, target: 'crm-db', backupId: `crm-db-${id.slice(6, 22)}`, status: 'passed', startedAt, finishedAt, reasons: [], restoreSeconds,
});

describe('renderDrillReport', () => {
  // A winter drill and a summer one: each time carries the offset of its own day.
  const winter = drill('drill-20260101T040000Z-aaaaaaaa', '2026-01-01T04:00:00Z', '2026-01-01T04:03:10Z', 190);
  const summer = drill('drill-20260701T040000Z-bbbbbbbb', '2026-07-01T04:00:00Z', '2026-07-01T04:02:05Z', 125);

  it('shows the drill and its history in the configured zone, with the offset', () => {
    expect(renderDrillReport(summer, [winter, summer], 'Europe/Prague')).toBe(
      [
        '# Restore drill crm-db: PASSED',
        '',
        '- Drill: `drill-20260701T040000Z-bbbbbbbb`, 2026-07-01 06:00:00 +02:00 → 2026-07-01 06:02:05 +02:00',
        '- Backup: `crm-db-20260701T040000Z`, restored from the offsite copy',
        '- Restore duration (RTO): 2m 05s',
        '',
        '## Drill history',
        '',
        '| Drill | Backup | Status | Restore |',
        '| --- | --- | --- | --- |',
        '| 2026-01-01 05:03:10 +01:00 | `crm-db-20260101T040000Z` | passed | 3m 10s |',
        '| 2026-07-01 06:02:05 +02:00 | `crm-db-20260701T040000Z` | passed | 2m 05s |',
        '',
      ].join('\n'),
    );
  });

  it('in UTC, the offset reads +00:00', () => {
    expect(renderDrillReport(winter, [], 'UTC')).toContain('- Drill: `drill-20260101T040000Z-aaaaaaaa`, 2026-01-01 04:00:00 +00:00 → 2026-01-01 04:03:10 +00:00');
  });
});
