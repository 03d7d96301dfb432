import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { stampOf } from '../../core/backup-id.js';
import type { DrillRecord } from '../../core/backup-health.js';
import { renderDrillReport } from '../../core/drill-report.js';
import { writeFileAtomic } from '../../records/atomic-write.js';

/** drill-report-latest.md and a dated copy in the reports dir. */
export async function writeDrillReport(config: OpsConfig, record: DrillRecord, history: DrillRecord[]): Promise<{ report: string }> {
  await mkdir(config.reports, { recursive: true });
  const markdown = renderDrillReport(record, history, config.timeZone);
  const report = join(config.reports, `drill-report-${stampOf(new Date(record.finishedAt))}.md`);
  await writeFileAtomic(report, markdown);
  await writeFileAtomic(join(config.reports, 'drill-report-latest.md'), markdown);
  return { report };
}
