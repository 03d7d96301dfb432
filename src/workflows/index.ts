export { nightlyBackup } from './nightly-backup.js';
export { backupTarget } from './backup-target.js';
export { verifyBackupRun } from './verify-backup.js';
export { deployPipeline } from './deploy-pipeline.js';
export { rollbackStage } from './rollback-stage.js';
export { restoreDrill } from './restore-drill.js';
export { backupWatchdog } from './backup-watchdog.js';
export { scheduledDeploy } from './scheduled-deploy.js';
