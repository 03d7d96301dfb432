import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressQuery } from '../../src/workflows/progress.js';
import { backupWorldForTest, runNightlyExpectingFailure } from '../support/backup-world.js';

describe('nightly progress tells each step’s real outcome, in order', () => {
  it('one target failing among two: its line is failed, the targets line below it is failed too, every step timed', async () => {
    // The PostgreSQL target with a wrong password (its dump fails at once) and the files target.
    const world = await backupWorldForTest({
      env: { PG_WRONG_PASSWORD: 'not-the-password' },
      edit: (doc) => {
        doc.databases = [doc.databases[0]];
        doc.databases[0].password = '${PG_WRONG_PASSWORD}';
      },
    });
    const { postgres, files } = world.fixture.targets;

    const { workflowId, failure } = await runNightlyExpectingFailure(world);
    expect(failure.message).toMatch(new RegExp(`^1 of 2 failed: ${postgres}: `));
    const steps = await world.worker.client.workflow.getHandle(workflowId).query(progressQuery);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['plan', 'done'],
      [`target ${postgres}`, 'failed'],
      [`target ${files}`, 'done'],
      ['targets', 'failed'],
      ['retention', 'done'],
      ['report', 'done'],
      ['health', 'done'],
    ]);
    expect(steps[1]!.detail).toMatch(new RegExp(`^${postgres}: .*password authentication failed`));
    expect(steps[3]!.detail).toBe('1 of 2 targets failed');
    for (const step of steps) expect(Date.parse(step.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    // The targets line ends after the last target's line: it sums them up.
    expect(Date.parse(steps[3]!.finishedAt!)).toBeGreaterThanOrEqual(Math.max(Date.parse(steps[1]!.finishedAt!), Date.parse(steps[2]!.finishedAt!)));
    // Each target's line names its own child run.
    expect(steps[1]!.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(steps[2]!.runId).toMatch(/^[0-9a-f-]{36}$/);

    const report = await readFile(join(world.fixture.config.reports, 'backup-report-latest.md'), 'utf8');
    expect(report).toContain('# Nightly backup: FAILED (1 of 2 targets)');
    expect(report).toMatch(new RegExp(`\\| ${postgres} \\| \\*\\*FAILED\\*\\* \\|`));
    expect(report).toMatch(new RegExp(`\\| ${files} \\| ok \\|`));
  });
});
