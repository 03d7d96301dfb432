import { describe, expect, it } from 'vitest';
import { renderBackupReport, reportFileNames, type BackupRunReport, type TargetReport } from '../../src/core/backup-report.js';

const SHA = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const okPostgres: TargetReport = {
  target: 'app-db',
  kind: 'postgres',
  status: 'ok',
  backupId: 'app-db-20261122T020000Z',
  bytes: 1.5 * 1024 * 1024,
  durationSeconds: 65,
  sha256: SHA,
  offsite: { status: 'copied' },
  verify: { status: 'passed', restoreSeconds: 12, reasons: [], rowCountDifferences: [] },
  retention: { deleted: ['app-db-20261101T020000Z'], kept: 21, offsiteDeleted: [] },
  rpoAgeMs: (3 * 60 + 12) * 60_000,
};

function run(...targets: TargetReport[]): BackupRunReport {
  return {
    workflowId: 'backup-nightly-20261122T020000Z',
    runUrl: 'http://localhost:8233/namespaces/default/workflows/backup-nightly-20261122T020000Z',
    startedAt: '2026-11-22T02:00:00Z',
    finishedAt: '2026-11-22T02:14:05Z',
    targets,
  };
}

describe('renderBackupReport', () => {
  it('renders a successful night exactly, its times in the configured zone with the offset', () => {
    expect(renderBackupReport(run(okPostgres), 'Europe/Prague')).toBe(
      [
        '# Nightly backup: OK',
        '',
        'Run [`backup-nightly-20261122T020000Z`](http://localhost:8233/namespaces/default/workflows/backup-nightly-20261122T020000Z), started 2026-11-22 03:00:00 +01:00, finished 2026-11-22 03:14:05 +01:00 (14m 05s).',
        '',
        '| Target | Status | Size | Duration | Checksum | Verify | RPO age |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| app-db | ok | 1.5 MiB | 1m 05s | `0123456789ab` | passed | 3h 12m |',
        '',
        '## app-db (postgres): ok',
        '',
        `- Backup: \`app-db-20261122T020000Z\`, 1.5 MiB in 1m 05s, sha256 \`${SHA}\``,
        '- Verify: passed, restored in 12s',
        '- Offsite: copied',
        '- Retention: kept 21; deleted locally: `app-db-20261101T020000Z`; deleted offsite: none',
        '- RPO age: 3h 12m',
        '',
      ].join('\n'),
    );
  });

  const failedDump: TargetReport = {
    target: 'shop',
    kind: 'mysql',
    status: 'failed',
    error: 'mysqldump failed (exit 2): Got error: 1045: Access denied for user `backup`@`%`\nsecond line',
    rpoAgeMs: null,
  };
  const failedVerify: TargetReport = {
    ...okPostgres,
    target: 'crm',
    status: 'failed',
    error: 'verify failed: 2 row counts differ',
    offsite: { status: 'failed', reason: 'rsync: connection refused | host offsite.example' },
    verify: {
      status: 'failed',
      restoreSeconds: 3.25,
      reasons: ['row count of public.companies: expected 120, got 118', 'table public.a|b is missing\nafter restore'],
      rowCountDifferences: [
        { table: 'public.companies', expected: 120, actual: 118 },
        { table: 'public.a|b', expected: 7, actual: null },
        { table: 'public.extra', expected: null, actual: 3 },
      ],
    },
    retention: { deleted: [], kept: 5, offsiteDeleted: ['crm-20261001T020000Z', 'crm-20261002T020000Z'] },
    rpoAgeMs: 52 * 3_600_000,
  };
  const report = renderBackupReport(run(okPostgres, failedDump, failedVerify), 'UTC');

  it('counts failed targets in the title', () => {
    expect(report.split('\n')[0]).toBe('# Nightly backup: FAILED (2 of 3 targets)');
  });

  it('shows a failed target without a backup as dashes in the summary', () => {
    expect(report).toContain('| shop | **FAILED** | — | — | — | — | no verified backup |');
    expect(report).toContain('| crm | **FAILED** | 1.5 MiB | 1m 05s | `0123456789ab` | failed | 2d 4h |');
  });

  it('quotes the error verbatim in a fence longer than any backtick run in it', () => {
    expect(report).toContain(
      '## shop (mysql): FAILED\n\nError:\n\n```\nmysqldump failed (exit 2): Got error: 1045: Access denied for user `backup`@`%`\nsecond line\n```\n\n- RPO age: no verified backup\n',
    );
    expect(renderBackupReport(run({ ...failedDump, error: 'a ``` b' }), 'UTC')).toContain('````\na ``` b\n````');
  });

  it('lists verify reasons on one line each and the row-count differences as an escaped table', () => {
    expect(report).toContain(
      [
        '- Verify: failed, restored in 3.3s',
        '  - row count of public.companies: expected 120, got 118',
        '  - table public.a|b is missing after restore',
      ].join('\n'),
    );
    expect(report).toContain(
      [
        'Row-count differences:',
        '',
        '| Table | Expected | Actual |',
        '| --- | --- | --- |',
        '| public.companies | 120 | 118 |',
        '| public.a\\|b | 7 | absent |',
        '| public.extra | absent | 3 |',
      ].join('\n'),
    );
  });

  it('reports the offsite failure and what retention deleted offsite', () => {
    expect(report).toContain('- Offsite: failed: rsync: connection refused | host offsite.example');
    expect(report).toContain('- Retention: kept 5; deleted locally: none; deleted offsite: `crm-20261001T020000Z`, `crm-20261002T020000Z`');
  });

  it('reports an offsite retention error under the target, which stays ok', () => {
    const offsiteError = 'offsite retention of app-db at ssh://backup@offsite.example/srv failed: ssh failed (exit 255): ssh: connect to host offsite.example port 22: Connection refused\nsecond line';
    const rendered = renderBackupReport(run({ ...okPostgres, retention: { ...okPostgres.retention!, offsiteError } }), 'UTC');
    expect(rendered.split('\n')[0]).toBe('# Nightly backup: OK');
    expect(rendered).toContain(
      [
        '- Retention: kept 21; deleted locally: `app-db-20261101T020000Z`; deleted offsite: none',
        '- Offsite retention: **FAILED**: offsite retention of app-db at ssh://backup@offsite.example/srv failed: ssh failed (exit 255): ssh: connect to host offsite.example port 22: Connection refused second line',
        '- RPO age: 3h 12m',
      ].join('\n'),
    );
  });

  it.each([
    ['Europe/Prague', 'summer', '2026-07-01T00:00:00Z', 'started 2026-07-01 02:00:00 +02:00, finished 2026-07-01 02:14:05 +02:00 (14m 05s).'],
    ['UTC', 'summer', '2026-07-01T00:00:00Z', 'started 2026-07-01 00:00:00 +00:00, finished 2026-07-01 00:14:05 +00:00 (14m 05s).'],
    ['America/New_York', 'winter', '2026-11-22T02:00:00Z', 'started 2026-11-21 21:00:00 -05:00, finished 2026-11-21 21:14:05 -05:00 (14m 05s).'],
  ])('in %s (%s) the run line reads %s', (zone, _season, startedAt, line) => {
    const finishedAt = new Date(Date.parse(startedAt) + (14 * 60 + 5) * 1000).toISOString();
    expect(renderBackupReport({ ...run(okPostgres), startedAt, finishedAt }, zone).split('\n')[2]).toContain(line);
  });

  it('lists a target another run was backing up as skipped, and the night stays OK', () => {
    const busy: TargetReport = { target: 'shop', kind: 'mysql', status: 'skipped', skipped: 'already running (backup-shop)', rpoAgeMs: 3_600_000 };
    const rendered = renderBackupReport(run(okPostgres, busy), 'UTC');
    expect(rendered.split('\n')[0]).toBe('# Nightly backup: OK');
    expect(rendered).toContain('| shop | skipped: already running (backup-shop) | — | — | — | — | 1h |');
    expect(rendered).toContain('## shop (mysql): skipped: already running (backup-shop)\n\n- RPO age: 1h\n');
  });

  it('links the run only when there is a URL', () => {
    expect(renderBackupReport({ ...run(okPostgres), runUrl: undefined }, 'UTC')).toContain('Run `backup-nightly-20261122T020000Z`, started');
  });

  it('says so when there were no targets', () => {
    expect(renderBackupReport(run(), 'UTC')).toBe(
      [
        '# Nightly backup: OK',
        '',
        'Run [`backup-nightly-20261122T020000Z`](http://localhost:8233/namespaces/default/workflows/backup-nightly-20261122T020000Z), started 2026-11-22 02:00:00 +00:00, finished 2026-11-22 02:14:05 +00:00 (14m 05s).',
        '',
        'No targets were backed up.',
        '',
      ].join('\n'),
    );
  });
});

describe('reportFileNames', () => {
  it.each([
    ['2026-11-22T02:00:00Z', 'backup-report-2026-11-22T020000Z.md'],
    ['2026-11-22T02:14:59.999Z', 'backup-report-2026-11-22T021459Z.md'],
    ['2026-11-22T03:14:05+01:00', 'backup-report-2026-11-22T021405Z.md'],
  ])('%s -> %s', (finishedAt, dated) => {
    expect(reportFileNames(finishedAt)).toEqual({ latest: 'backup-report-latest.md', dated });
  });

  it('rejects a time that does not parse', () => {
    expect(() => reportFileNames('tonight')).toThrow('finishedAt is not a date: "tonight"');
  });
});
