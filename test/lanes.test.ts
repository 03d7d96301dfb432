import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../vitest.config.js';
import { serverNeed } from './support/server-need.js';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Every *.test.ts in the repository, wherever it is: a file vitest's include misses shows up here.
 * Dependencies, the build and dot-directories (.git, .tools, .ops state) hold no tests of ours.
 */
function testFilesOnDisk(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory() && !['node_modules', 'dist'].includes(entry.name) && !entry.name.startsWith('.')) return testFilesOnDisk(join(dir, entry.name));
    return entry.isFile() && entry.name.endsWith('.test.ts') ? [relative(ROOT, join(dir, entry.name))] : [];
  });
}

/** Which project each test file runs in, as vitest itself resolves vitest.config.ts (no test runs, no setup). */
function filesByProject(): Array<{ file: string; project: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const out = execFileSync(join(ROOT, 'node_modules/.bin/vitest'), ['list', '--filesOnly', '--json'], { cwd: ROOT, env, encoding: 'utf8' });
  return (JSON.parse(out) as Array<{ file: string; projectName: string }>).map((f) => ({ file: relative(ROOT, f.file), project: f.projectName }));
}

describe('test lanes', () => {
  let listed: Array<{ file: string; project: string }>;
  beforeAll(() => {
    listed = filesByProject();
  });

  it('npm test runs every test file in the repository exactly once, in the unit or the servers project', () => {
    expect(listed.map((f) => f.file).sort()).toEqual(testFilesOnDisk().sort());
    expect(new Set(listed.map((f) => f.project))).toEqual(new Set(['unit', 'servers']));
  });

  it('the unit lane has no global setup: the servers start only for the servers project', () => {
    const projects = config.test!.projects as Array<{ test: { name: string; globalSetup?: string[] } }>;
    expect(config.test!.globalSetup).toBeUndefined();
    expect(projects.map((p) => [p.test.name, p.test.globalSetup])).toEqual([
      ['unit', undefined],
      ['servers', ['test/global-setup.ts']],
    ]);
  });

  it('no file in the unit lane reads the global servers or starts one, through any import', () => {
    const unit = listed.filter((f) => f.project === 'unit').map((f) => f.file);
    expect(unit).toContain('test/lanes.test.ts');
    expect(unit.map((file) => serverNeed(ROOT, file)).filter(Boolean)).toEqual([]);
  });

  it.each([
    ['test/workflows/backup-retention.test.ts', 'test/workflows/backup-retention.test.ts → test/support/backup-world.ts → test/support/backup-fixture.ts → test/support/servers.ts reads the servers of test/global-setup.ts (inject)'],
    ['test/local-servers/postgres-server.test.ts', 'test/local-servers/postgres-server.test.ts starts a server (startPostgres)'],
    ['test/support/sshd.test.ts', 'test/support/sshd.test.ts starts a server (startSshd)'],
    ['test/core/retention.test.ts', undefined],
    ['test/config/example-configs.test.ts', undefined],
  ])('the check names the import chain by which %s needs a server, or none', (file, need) => {
    expect(serverNeed(ROOT, file)).toBe(need);
  });
});
