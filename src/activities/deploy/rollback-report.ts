import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { NAME_PATTERN } from '../../config/schema-primitives.js';
import { stampOf } from '../../core/backup-id.js';
import { renderRollbackReport, type RollbackReport } from '../../core/rollback-report.js';
import { writeFileAtomic } from '../../records/atomic-write.js';

/**
 * Writes rollback-<app>-<stamp>.md into the reports dir. A rollback is no deploy: it leaves
 * deploy-<app>-latest.md and the deploy metrics alone, and its own report says what it did.
 */
export async function writeRollbackReport(config: OpsConfig, report: RollbackReport): Promise<{ path: string }> {
  await mkdir(config.reports, { recursive: true });
  const name = NAME_PATTERN.test(report.app) ? report.app : 'unknown-app';
  const path = join(config.reports, `rollback-${name}-${stampOf(new Date(report.finishedAt))}.md`);
  await writeFileAtomic(path, renderRollbackReport(report, config.timeZone));
  return { path };
}
