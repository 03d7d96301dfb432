import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { RunHistory } from '../../src/records/run-history.js';
import { formatRunRecordLine, type BackupRunRecord } from '../../src/core/backup-history.js';
import { testServers } from '../support/servers.js';

/** The run history on real files: one line per run, once per workflow run, readable after a crash tore a line. */
describe('RunHistory', () => {
  const repository = mkdtempSync(join(testServers().scratchRoot, 'run-history-'));
  afterAll(() => rmSync(repository, { recursive: true, force: true }));
  const history = new RunHistory(repository);

  const run = (n: number, target = 'crm-db'): BackupRunRecord => ({
    at: new Date(Date.UTC(2026, 10, 22, 2, 0, n)).toISOString(),
    target,
    kind: 'backup',
    backupId: `${target}-20261122T0200${String(n).padStart(2, '0')}Z`,
    dump: 'ok',
    verify: n % 2 === 0 ? 'passed' : 'failed',
    workflowId: `nightly-${n}`,
    runId: `run-${n}`,
  });

  it('reads no runs before the first', async () => {
    expect(await history.list()).toEqual([]);
    expect(await history.list(['crm-db'])).toEqual([]);
  });

  it('appends one line per run to <repository>/.history/<target>.jsonl, outside every target directory', async () => {
    await history.append(run(1));
    await history.append(run(2));
    await history.append(run(3, 'shop-db'));
    expect(history.fileOf('crm-db')).toBe(join(repository, '.history', 'crm-db.jsonl'));
    expect(readFileSync(history.fileOf('crm-db'), 'utf8')).toBe(formatRunRecordLine(run(1)) + formatRunRecordLine(run(2)));
    expect(await history.list(['crm-db'])).toEqual([run(1), run(2)]);
    expect(await history.list()).toEqual([run(1), run(2), run(3, 'shop-db')]);
    expect(await new BackupRepository(repository).targets()).toEqual([]);
  });

  it('writes a retried run once, and a new run of the same workflow id again', async () => {
    await history.append({ ...run(2), at: '2026-11-22T03:00:00.000Z' });
    const rerun = { ...run(2), runId: 'run-2b' };
    await history.append(rerun);
    expect(await history.list(['crm-db'])).toEqual([run(1), run(2), rerun]);
  });

  it('starts a fresh line after a torn one a crash left, and keeps every line whole when runs finish at once', async () => {
    appendFileSync(history.fileOf('crm-db'), '{"at":"2026-11-22T02:00:09.000Z","targ');
    await Promise.all(Array.from({ length: 20 }, (_, i) => history.append(run(10 + i))));
    const records = await history.list(['crm-db']);
    expect(records.slice(0, 3)).toEqual([run(1), run(2), { ...run(2), runId: 'run-2b' }]);
    expect(records.slice(3).sort((a, b) => a.at.localeCompare(b.at))).toEqual(Array.from({ length: 20 }, (_, i) => run(10 + i)));
  });

  it('ignores a line of another target in a target\'s file', async () => {
    appendFileSync(history.fileOf('shop-db'), formatRunRecordLine(run(4, 'crm-db')));
    expect(await history.list(['shop-db'])).toEqual([run(3, 'shop-db')]);
  });
});
