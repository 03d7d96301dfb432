import { describe, expect, it } from 'vitest';
import { renderDeployReport, type DeployReport } from '../../src/core/deploy-report.js';
import { renderRollbackReport } from '../../src/core/rollback-report.js';
import { runLinkOf } from '../../src/temporal/run-link.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const times = { startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:01:30.000Z' };

function deployReport(overrides: Partial<DeployReport>, stage: Partial<DeployReport['stages'][number]> = {}): DeployReport {
  return {
    app: 'crm', ref: 'main', sha: B, startedBy: 'ci', workflowId: 'deploy-crm', runId: 'run-2', ...times, outcome: 'succeeded',
    stages: [{ stage: 'prod', outcome: 'succeeded', steps: [], ...stage }],
    ...overrides,
  };
}

describe('deploy report records', () => {
  it('the run link names the run, not only the workflow id that every deploy of the app shares', () => {
    const link = runLinkOf('http://ui:8233/namespaces/default/workflows/deploy-crm', 'run-2');
    expect(link).toBe('http://ui:8233/namespaces/default/workflows/deploy-crm/run-2/history');
    expect(renderDeployReport(deployReport({ runUrl: link }), 'UTC')).toContain(`- Run: [\`deploy-crm\`](${link}), 2026-11-22 10:00:00 +00:00 → 2026-11-22 10:01:30 +00:00 (1m 30s)`);
  });

  it.each<[string, string | null, string]>([
    ['a first deploy', null, '- Replaced release: none (first deploy)'],
    ['another release', A, `- Replaced release: \`${A.slice(0, 12)}\``],
    ['the running release, redeployed', B, `- Replaced release: \`${B.slice(0, 12)}\` (same release, redeployed)`],
  ])('replaced release: %s', (_name, previous, line) => {
    expect(renderDeployReport(deployReport({}, { previous }), 'UTC').split('\n')).toContain(line);
  });

  it('a redeploy that failed says where it rolled back to', () => {
    const text = renderDeployReport(deployReport({ outcome: 'rolled-back' }, { outcome: 'rolled-back', previous: B, rollbackTo: A, error: 'health gate' }), 'UTC');
    expect(text).toContain(`- Replaced release: \`${B.slice(0, 12)}\` (same release, redeployed)\n- Rolled back to: \`${A.slice(0, 12)}\`\n- Error: health gate`);
  });

  it('build.once: each image of the stage with its ID, one line each', () => {
    const images = { 'crm-app:bbbbbbbbbbbb': `sha256:${'1'.repeat(64)}`, 'crm-worker:bbbbbbbbbbbb': `sha256:${'2'.repeat(64)}` };
    const lines = renderDeployReport(deployReport({}, { images }), 'UTC').split('\n');
    expect(lines.filter((line) => line.startsWith('- Image: '))).toEqual([
      `- Image: \`crm-app:bbbbbbbbbbbb\` \`sha256:${'1'.repeat(64)}\``,
      `- Image: \`crm-worker:bbbbbbbbbbbb\` \`sha256:${'2'.repeat(64)}\``,
    ]);
  });

  it('a migrated stage that failed after its switch: the migration, its backup, its run, and the answer at the restore gate', () => {
    const stage: Partial<DeployReport['stages'][number]> = {
      outcome: 'rolled-back', previous: A, rollbackTo: A, error: 'health gate',
      migration: { run: true, why: 'paths-changed', paths: ['migrations/001.sql'], more: 0 },
      preDeployBackup: { database: 'crm-db', backupId: 'crm-db-20261122T100005Z', tag: `pre-deploy-crm-${B}`, verify: 'passed' },
      migrationRun: { status: 'passed', outputTail: '', durationSeconds: 4.2 },
    };
    const restored = renderDeployReport(deployReport({ outcome: 'rolled-back' }, { ...stage, databaseRestore: { approved: true, by: 'alice', reason: 'bad\nmigration', status: 'passed', keptAs: 'crm_before_restore_20261122t100100z' } }), 'UTC');
    expect(restored).toContain(
      [
        `- Replaced release: \`${A.slice(0, 12)}\``,
        `- Rolled back to: \`${A.slice(0, 12)}\``,
        '- Migration: paths changed: migrations/001.sql',
        `- Pre-deploy backup: \`crm-db-20261122T100005Z\` (pre-deploy-crm-${B}), verify passed`,
        '- Migration run: passed, 4.2s',
        '- Error: health gate',
        '- Database restore: approved by alice (bad migration): passed, migrated database kept as crm_before_restore_20261122t100100z',
      ].join('\n'),
    );
    const declined = renderDeployReport(deployReport({ outcome: 'rolled-back' }, { ...stage, databaseRestore: { approved: false, by: 'timeout', reason: 'no answer within 60 min' } }), 'UTC');
    expect(declined).toContain('- Database restore: declined by timeout (no answer within 60 min); the database stays migrated\n');
  });

  it('a stage of several hosts: a row per host, after the stage lines and before the steps', () => {
    const hosts: NonNullable<DeployReport['stages'][number]['hosts']> = [
      { host: 'web1', previous: A, switchedTo: B, health: 'passed', outcome: 'rolled-back' },
      { host: 'web2', previous: null, switchedTo: B, health: 'failed', outcome: 'rollback-failed', error: 'health gate | timed out; no previous release to roll back to' },
      { host: 'web3', previous: A, outcome: 'not switched' },
      { host: 'web4', previous: A, switchedTo: B, health: 'passed', outcome: 'deployed', images: { 'crm-app:bbbbbbbbbbbb': 'sha256:11' } },
    ];
    const text = renderDeployReport(deployReport({ outcome: 'rollback-failed' }, { outcome: 'rollback-failed', hosts, steps: [{ step: 'sync web1', status: 'done' }] }), 'UTC');
    expect(text).toContain(
      [
        '| Host | Previous | Switched to | Health | Outcome | Error | Images |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        `| web1 | \`${A.slice(0, 12)}\` | \`${B.slice(0, 12)}\` | passed | rolled-back |  |  |`,
        `| web2 | none | \`${B.slice(0, 12)}\` | failed | rollback-failed | health gate \\| timed out; no previous release to roll back to |  |`,
        `| web3 | \`${A.slice(0, 12)}\` | — | — | not switched |  |  |`,
        `| web4 | \`${A.slice(0, 12)}\` | \`${B.slice(0, 12)}\` | passed | deployed |  | crm-app:bbbbbbbbbbbb sha256:11 |`,
        '',
        '| Step | Status | Duration | Detail |',
      ].join('\n'),
    );
  });

  it('a stage of one host has no host table', () => {
    expect(renderDeployReport(deployReport({}), 'UTC')).not.toContain('| Host |');
  });

  it('a skipped promotion check is said in the header', () => {
    expect(renderDeployReport(deployReport({ promotionCheck: 'skipped' }), 'UTC').split('\n')).toContain(
      '- Promotion check: SKIPPED (--skip-promotion-check): stages were not required to have passed the ones before them',
    );
    expect(renderDeployReport(deployReport({}), 'UTC')).not.toContain('Promotion check');
  });
});

describe('rollback report', () => {
  it('says from and to, who, the run and each step', () => {
    const text = renderRollbackReport({
      app: 'crm', stage: 'prod', from: B, to: A, startedBy: 'oncall', workflowId: 'deploy-crm', runId: 'run-3', runUrl: 'http://ui/run-3', ...times, outcome: 'rolled-back',
      steps: [{ step: 'find release', status: 'done', ...times }, { step: 'switch', status: 'done' }],
    }, 'UTC');
    expect(text).toBe(
      [
        '# Rollback crm on prod: rolled back and healthy',
        '',
        `- From: \`${B.slice(0, 12)}\` to \`${A.slice(0, 12)}\` (\`${A}\`)`,
        '- Started by: oncall',
        '- Run: [`deploy-crm`](http://ui/run-3), 2026-11-22 10:00:00 +00:00 → 2026-11-22 10:01:30 +00:00 (1m 30s)',
        '',
        '| Step | Status | Duration | Detail |',
        '| --- | --- | --- | --- |',
        '| find release | done | 1m 30s |  |',
        '| switch | done | — |  |',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['rolled-back', 'rolled back and healthy'],
    ['refused', 'refused, nothing changed'],
    ['failed', 'FAILED before any change (the host could not be read)'],
    ['rollback-failed', 'FAILED, needs a human'],
  ] as const)('headline when %s', (outcome, headline) => {
    const text = renderRollbackReport({ app: 'crm', stage: 'prod', from: null, startedBy: 'x', workflowId: 'w', runId: 'r', ...times, outcome, steps: [] }, 'UTC');
    expect(text.split('\n')[0]).toBe(`# Rollback crm on prod: ${headline}`);
  });

  it('a refused rollback names why and that nothing changed', () => {
    const text = renderRollbackReport({ app: 'crm', stage: 'prod', from: null, startedBy: 'oncall', workflowId: 'deploy-crm', runId: 'r', ...times, outcome: 'refused', error: 'no release of crm prod matches abcdef0', steps: [] }, 'UTC');
    expect(text.split('\n').slice(0, 6)).toEqual([
      '# Rollback crm on prod: refused, nothing changed',
      '',
      '- From: none to none',
      '- Started by: oncall',
      '- Run: `deploy-crm`, 2026-11-22 10:00:00 +00:00 → 2026-11-22 10:01:30 +00:00 (1m 30s)',
      '- Error: no release of crm prod matches abcdef0',
    ]);
  });
});
