import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalTime } from '../../src/core/format.js';
import { parseReleaseLog } from '../../src/core/release-log.js';
import { currentRelease, healthOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { OPS_BIN, runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** A time as people read it: the zone's wall clock with its offset, e.g. 2026-12-07 03:04:05 +01:00. */
const LOCAL_TIME = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\+0[12]:00';

/** The CI starter: `ops deploy`, its lock, status, approval, releases and rollback, as a user runs them. */
describe('ops deploy / rollback / releases', () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let first: string;
  let second: string;

  beforeAll(async () => {
    fixture = await makeDeployFixture({ approvalBeforeProd: true });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);

  it('deploy --approve --wait runs both stages and exits 0', async () => {
    first = await fixture.repo.sha('main');
    const result = await cli('deploy', fixture.app, '--ref', 'main', '--approve', '--wait', '--by', 'ci-bot');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`started deploy-${fixture.app}`);
    expect(result.stdout).toMatch(/prod smoke\s+done/);
    expect(result.stdout).toContain(`deployed ${fixture.app} ${first.slice(0, 12)}`);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${first}`);
    expect(await (await worker.client.workflow.getHandle(`deploy-${fixture.app}`).describe()).staticSummary()).toBe(`deploy ${fixture.app} main → staging, prod`);
  });

  it('a second deploy while one runs exits 3 naming the running one; status shows the gate; approve lets it finish', async () => {
    second = await fixture.repo.commit('v1.1', { VERSION: '1.1.0\n' });
    const waiting = execa('node', [OPS_BIN, '--config', fixture.configFile, 'deploy', fixture.app, '--ref', second, '--wait'], { env, reject: false, stdin: 'ignore' });

    let status = await cli('deploy', 'status', fixture.app);
    for (let i = 0; i < 120 && !status.stdout.includes('waiting for approval before prod'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await cli('deploy', 'status', fixture.app);
    }
    // Times in the config's zone (Europe/Prague, the default), with the offset.
    expect(status.stdout).toMatch(new RegExp(`^deploy-${fixture.app}: RUNNING \\(started ${LOCAL_TIME}\\)$`, 'm'));
    // What approving would ship: the ref as given (here the SHA itself) and the SHA it resolved to.
    expect(status.stdout).toMatch(new RegExp(`^waiting for approval before prod since ${LOCAL_TIME}: ref ${second} → ${second}\n  answer with: ops deploy approve ${fixture.app} \\[--reject\\]`, 'm'));
    expect(status.stdout).toMatch(/staging smoke\s+done/);

    const busy = await cli('deploy', fixture.app, '--ref', 'main');
    expect(busy.exitCode).toBe(3);
    expect(busy.stderr).toMatch(new RegExp(`a deploy of ${fixture.app} is already running since ${LOCAL_TIME}: `));

    const approve = await cli('deploy', 'approve', fixture.app, '--by', 'alice', '--reason', 'staging looks right');
    expect(approve.exitCode).toBe(0);
    expect(approve.stdout).toContain(`approved ${fixture.app} before prod (by alice)`);

    const done = await waiting;
    expect(done.exitCode).toBe(0);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, version: '1.1.0', release: second });
    const report = readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8');
    expect(report).toContain('Approval: approved by alice (staging looks right)');

    const late = await cli('deploy', 'approve', fixture.app);
    expect(late.exitCode).not.toBe(0);
  });

  it('releases lists the host\'s history; rollback returns prod to the previous release and passes the health gate', async () => {
    const releases = await cli('releases', fixture.app, '--stage', 'prod', '--json');
    expect(releases.exitCode).toBe(0);
    const listed = JSON.parse(releases.stdout) as { current: string; entries: Array<{ at: string; sha: string; event: string; by: string }> };
    expect(listed.current).toBe(second);
    expect(listed.entries.map((e) => [e.sha, e.event])).toEqual([[first, 'deployed'], [second, 'deployed']]);
    // The log and --json keep UTC ISO; the table shows the config's zone with the offset.
    const table = await cli('releases', fixture.app, '--stage', 'prod');
    for (const entry of listed.entries) {
      expect(entry.at).toMatch(/Z$/);
      expect(table.stdout).toMatch(new RegExp(`^${formatLocalTime(entry.at, 'Europe/Prague').replace('+', '\\+')}\\s+deployed\\s+${entry.sha.slice(0, 12)}\\s`, 'm'));
    }

    const rollback = await cli('rollback', fixture.app, '--stage', 'prod', '--by', 'oncall');
    expect(rollback.stderr).toBe('');
    expect(rollback.exitCode).toBe(0);
    expect(await (await worker.client.workflow.getHandle(`deploy-${fixture.app}`).describe()).staticSummary()).toBe(`rollback ${fixture.app} on prod`);
    expect(rollback.stdout).toContain(`rolled back from ${second.slice(0, 12)} to ${first.slice(0, 12)}, healthy`);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${first}`);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, version: '1.0.0' });
    const log = parseReleaseLog(readFileSync(join(fixture.stages.prod.root, 'releases.log'), 'utf8'));
    expect(log.at(-1)).toMatchObject({ event: 'manual-rollback', sha: first, previous: second, by: 'oncall' });
  });

  it('a deploy that fails and rolls back exits 1 with the stage and cause', async () => {
    const broken = await fixture.repo.commit('broken', { HEALTH_FAIL: '1' });
    const result = await cli('deploy', fixture.app, '--ref', broken, '--wait', '--stages', 'staging');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`error: ${fixture.app} ${broken.slice(0, 12)} on staging: rolled-back: health gate`));
  });

  it('bad usage exits 2: unknown app, unknown stage, missing --ref', async () => {
    expect((await cli('deploy', 'nope', '--ref', 'main')).exitCode).toBe(2);
    const stage = await cli('deploy', fixture.app, '--ref', 'main', '--stages', 'qa');
    expect(stage.exitCode).toBe(2);
    expect(stage.stderr.trim()).toBe(`error: unknown stage "qa" of app "${fixture.app}" (configured: staging, prod)`);
    expect((await cli('deploy', fixture.app)).exitCode).toBe(2);
  });

  it('migration usage exits 2: --migrate for an app without migrate:, --restore-db with --reject', async () => {
    const migrate = await cli('deploy', fixture.app, '--ref', 'main', '--migrate');
    expect([migrate.exitCode, migrate.stderr.trim()]).toEqual([2, `error: --migrate: app "${fixture.app}" has no migrate: in the config`]);
    const both = await cli('deploy', 'approve', fixture.app, '--restore-db', '--reject');
    expect([both.exitCode, both.stderr.trim()]).toEqual([2, 'error: --restore-db and --reject exclude each other']);
  });

  it('rollback bad usage exits 2 naming what is configured, as deploy does: unknown app, unknown stage', async () => {
    const app = await cli('rollback', 'nope', '--stage', 'staging');
    expect([app.exitCode, app.stderr.trim()]).toEqual([2, `error: unknown app "nope" (configured: ${fixture.app})`]);
    const stage = await cli('rollback', fixture.app, '--stage', 'qa');
    expect([stage.exitCode, stage.stderr.trim()]).toEqual([2, `error: unknown stage "qa" of app "${fixture.app}" (configured: staging, prod)`]);
  });
});
