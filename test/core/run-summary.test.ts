import { describe, expect, it } from 'vitest';
import { runSummary, scheduledRunSummary } from '../../src/core/run-summary.js';

describe('runSummary', () => {
  it.each([
    ['nightly, all targets', runSummary.nightlyBackup({}), 'backup all targets'],
    ['nightly, no targets named', runSummary.nightlyBackup({ targets: [] }), 'backup all targets'],
    ['nightly, two targets', runSummary.nightlyBackup({ targets: ['crm-db', 'shop-db'] }), 'backup crm-db, shop-db'],
    ['one target', runSummary.backupTarget('crm-db'), 'backup crm-db'],
    ['verify', runSummary.verify('crm-db-20260101T020000Z'), 'verify crm-db-20260101T020000Z'],
    ['drill, defaults', runSummary.restoreDrill({}), 'drill any target (random)'],
    ['drill, latest of one target', runSummary.restoreDrill({ target: 'crm-db', pick: 'latest' }), 'drill crm-db (latest)'],
    ['deploy to stages', runSummary.deploy({ app: 'crm', ref: 'main', stages: ['staging', 'prod'] }), 'deploy crm main → staging, prod'],
    ['deploy, stages unknown', runSummary.deploy({ app: 'crm', ref: 'v1.2' }), 'deploy crm v1.2'],
    ['rollback to the previous', runSummary.rollback({ app: 'crm', stage: 'prod' }), 'rollback crm on prod'],
    ['rollback to a SHA', runSummary.rollback({ app: 'crm', stage: 'prod', to: 'abc1234def5678abc1234def5678abc1234def56' }), 'rollback crm on prod to abc1234def56'],
    ['watchdog', runSummary.backupWatchdog(), 'backup watchdog'],
  ])('%s', (_case, summary, expected) => {
    expect(summary).toBe(expected);
  });
});

describe('scheduledRunSummary', () => {
  it.each([
    ['nightly-backup', 'nightlyBackup', undefined, 'backup all targets (schedule nightly-backup)'],
    ['crm-nightly', 'nightlyBackup', { targets: ['crm-db'] }, 'backup crm-db (schedule crm-nightly)'],
    ['monthly-drill', 'restoreDrill', { target: 'crm-db', pick: 'latest' }, 'drill crm-db (latest) (schedule monthly-drill)'],
    ['backup-watchdog', 'backupWatchdog', {}, 'backup watchdog (schedule backup-watchdog)'],
    ['weekly', 'deployPipeline', { app: 'crm', ref: 'main', stages: ['staging'] }, 'deploy crm main → staging (schedule weekly)'],
    // Args the schema does not check: what is not of the expected type is left out, never shown as [object Object].
    ['odd', 'deployPipeline', { app: 'crm', ref: 7, stages: 'prod' }, 'deploy crm ? (schedule odd)'],
    ['future', 'someNewWorkflow', {}, 'someNewWorkflow (schedule future)'],
  ])('%s (%s)', (id, workflow, args, expected) => {
    expect(scheduledRunSummary(id, workflow, args)).toBe(expected);
  });
});
