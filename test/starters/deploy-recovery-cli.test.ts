import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRelease, deployRootEntries, dockerCalls, healthOf, releaseLogOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

const UI = 'http://ui.invalid:8233';

/**
 * Deploy recovery as an operator meets it, through the real CLI, sshd and docker stand-in: a stage
 * left broken, `ops rollback` afterwards, SHA prefixes, and the promotion rule. One fixture, in order.
 */
describe('ops deploy / rollback when a stage is left broken', { timeout: 600_000 }, () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let good: string;
  let broken: string;
  let third: string;

  beforeAll(async () => {
    fixture = await makeDeployFixture({ healthTimeoutSeconds: 5 });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue, OPS_TEMPORAL_UI_URL: UI };
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);
  const staging = () => fixture.stages.staging;
  const runLink = (stdout: string) => stdout.match(new RegExp(`${UI}/namespaces/default/workflows/deploy-${fixture.app}/[0-9a-f-]{36}/history`))?.[0];

  it('a rollback that cannot run: exit 5, the report path and the smoke output tail; the stage stays on the failed release', async () => {
    good = await fixture.repo.sha('main');
    expect((await cli('deploy', fixture.app, '--ref', good, '--stages', 'staging', '--wait')).exitCode).toBe(0);
    // What a host that went away after the switch does to the rollback: its `up` cannot run (here: no server.js to start).
    const goodDir = join(staging().root, 'releases', good);
    await rename(join(goodDir, 'server.js'), join(goodDir, 'server.js.away'));
    broken = await fixture.repo.commit('smoke fails', { SMOKE_FAIL: 'forced\n', VERSION: '2.0.0\n' });

    const result = await cli('deploy', fixture.app, '--ref', broken, '--stages', 'staging', '--wait');

    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(new RegExp(`^error: ${fixture.app} ${broken.slice(0, 12)} on staging: rollback-failed: smoke tests failed \\(exit 1\\); rollback failed: docker compose up on local failed .*\\(stage left broken: needs a human\\)$`));
    const reportPath = result.stdout.match(/^report: (.+)$/m)?.[1];
    expect(reportPath).toMatch(new RegExp(`^${fixture.config.reports}/deploy-${fixture.app}-\\d{8}T\\d{6}Z\\.md$`));
    expect(readFileSync(reportPath!, 'utf8')).toContain('## staging: FAILED, rollback failed: needs a human');
    expect(result.stdout).toContain('smoke output on staging (last lines):\n');
    expect(result.stdout).toContain(`  | FAIL forced by ${fixture.config.stateDir}/releases/${fixture.app}/${broken}/SMOKE_FAIL`);
    expect(result.stdout).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    expect(currentRelease(staging().root)).toBe(`releases/${broken}`);
    expect(releaseLogOf(staging().root).map((e) => [e.event, e.sha, e.previous])).toEqual([
      ['deployed', good, null],
      ['rollback-failed', broken, good],
    ]);
  });

  it('once the host is back, `ops rollback` with no --to goes to the last release healthy there, writes its own report, and is no deploy', async () => {
    const goodDir = join(staging().root, 'releases', good);
    await rename(join(goodDir, 'server.js.away'), join(goodDir, 'server.js'));

    const result = await cli('rollback', fixture.app, '--stage', 'staging', '--by', 'oncall');

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const reportPath = result.stdout.match(/; report (.+)$/m)?.[1];
    expect(result.stdout).toContain(`${fixture.app} on staging: rolled back from ${broken.slice(0, 12)} to ${good.slice(0, 12)}, healthy; report ${reportPath}`);
    expect(currentRelease(staging().root)).toBe(`releases/${good}`);
    expect(await healthOf(staging().baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(releaseLogOf(staging().root).at(-1)).toMatchObject({ event: 'manual-rollback', sha: good, previous: broken, by: 'oncall' });

    expect(reportPath).toMatch(new RegExp(`^${fixture.config.reports}/rollback-${fixture.app}-\\d{8}T\\d{6}Z\\.md$`));
    const report = readFileSync(reportPath!, 'utf8');
    expect(report).toContain(`# Rollback ${fixture.app} on staging: rolled back and healthy`);
    expect(report).toContain(`- From: \`${broken.slice(0, 12)}\` to \`${good.slice(0, 12)}\``);
    // The link names this run: the one the CLI printed when it started it.
    const link = runLink(result.stdout);
    expect(link).toBeDefined();
    expect(report).toContain(`(${link})`);
    // The app's deploy report is still the failed deploy's.
    expect(readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8')).toContain('FAILED, rollback failed: needs a human');

    const status = await cli('deploy', 'status', fixture.app);
    expect(status.stdout).toContain(`deploy-${fixture.app}: COMPLETED, a rollback (ops rollback), not a deploy`);
    expect(status.stdout).toContain(`the latest deploy's report: ${join(fixture.config.reports, `deploy-${fixture.app}-latest.md`)}`);
  });

  it('a deploy rolled back and healthy exits 1 and prints its report, whose run link names the run', async () => {
    const unhealthy = await fixture.repo.commit('health fails', { HEALTH_FAIL: 'yes\n', SMOKE_FAIL: null });
    const result = await cli('deploy', fixture.app, '--ref', unhealthy, '--stages', 'staging', '--wait');

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${fixture.app} ${unhealthy.slice(0, 12)} on staging: rolled-back: health gate`));
    const reportPath = result.stdout.match(/^report: (.+)$/m)?.[1];
    const report = readFileSync(reportPath!, 'utf8');
    expect(report).toContain('## staging: FAILED, rolled back and healthy');
    expect(report).toContain(`- Rolled back to: \`${good.slice(0, 12)}\``);
    expect(report).toContain(`[\`deploy-${fixture.app}\`](${runLink(result.stdout)})`);
    expect(result.stdout).not.toContain('smoke output');
    expect(currentRelease(staging().root)).toBe(`releases/${good}`);
  });

  it('--to takes a unique prefix of 7+ characters; too short, ambiguous or not a safe target exits 2 and changes nothing', async () => {
    third = await fixture.repo.commit('version 3', { HEALTH_FAIL: null, VERSION: '3.0.0\n' });
    expect((await cli('deploy', fixture.app, '--ref', third, '--stages', 'staging', '--wait')).exitCode).toBe(0);
    // A release whose SHA shares the first 7 characters with `good`, as git would also find.
    const twin = `${good.slice(0, 7)}${good.slice(7).split('').map((c) => (c === 'f' ? '0' : 'f')).join('')}`;
    await mkdir(join(staging().root, 'releases', twin));
    await appendFile(join(staging().root, 'releases.log'), `${JSON.stringify({ at: new Date().toISOString(), app: fixture.app, stage: 'staging', sha: twin, previous: null, event: 'deployed', by: 'test', workflowId: 'elsewhere' })}\n`);
    const callsBefore = dockerCalls(staging().project).length;

    const short = await cli('rollback', fixture.app, '--stage', 'staging', '--to', good.slice(0, 6));
    expect([short.exitCode, short.stderr]).toEqual([2, `error: --to "${good.slice(0, 6)}" is too short: give at least 7 characters of the SHA`]);
    const ambiguous = await cli('rollback', fixture.app, '--stage', 'staging', '--to', good.slice(0, 7));
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toBe(`error: ${good.slice(0, 7)} is ambiguous on ${fixture.app} staging: it matches ${[good, twin].sort().join(', ')}; give more characters`);
    expect(ambiguous.stdout).toMatch(new RegExp(`^report: ${fixture.config.reports}/rollback-${fixture.app}-`, 'm'));
    const unsafe = await cli('rollback', fixture.app, '--stage', 'staging', '--to', broken.slice(0, 10));
    expect(unsafe.exitCode).toBe(2);
    expect(unsafe.stderr).toContain(`release ${broken} is not a safe rollback target on ${fixture.app} staging`);
    expect(dockerCalls(staging().project)).toHaveLength(callsBefore);
    expect(currentRelease(staging().root)).toBe(`releases/${third}`);

    const back = await cli('rollback', fixture.app, '--stage', 'staging', '--to', good.slice(0, 12));
    expect(back.exitCode).toBe(0);
    expect(back.stdout).toContain(`rolled back from ${third.slice(0, 12)} to ${good.slice(0, 12)}, healthy`);
    expect(currentRelease(staging().root)).toBe(`releases/${good}`);
  });

  it('--stages prod refuses a SHA that never passed staging, or was rolled back there, before prod is touched; --skip-promotion-check deploys it and says so', async () => {
    const deployReports = () => readdirSync(fixture.config.reports).filter((name) => name.startsWith('deploy-')).sort();
    const reportsBefore = deployReports();
    const rolledBack = await cli('deploy', fixture.app, '--ref', third, '--stages', 'prod', '--wait');
    expect(rolledBack.exitCode).toBe(2);
    expect(rolledBack.stderr).toMatch(new RegExp(`^error: ${fixture.app} ${third.slice(0, 12)} has not passed staging: ${third.slice(0, 12)} was rolled back on staging at \\S+; deploy it there first, or pass --skip-promotion-check$`));
    const neverThere = await cli('deploy', fixture.app, '--ref', broken, '--stages', 'prod');
    expect(neverThere.exitCode).toBe(2);
    // Its newest line there is the refused `--to` rollback above.
    expect(neverThere.stderr).toContain(`${broken.slice(0, 12)} has not passed staging: ${broken.slice(0, 12)} is last recorded on staging as rollback-failed at`);
    expect(dockerCalls(fixture.stages.prod.project)).toEqual([]);
    expect(deployRootEntries(fixture.stages.prod.root)).toEqual([]);
    // A refusal started nothing: no deploy report (and so no alert or metrics line).
    expect(deployReports()).toEqual(reportsBefore);

    const forced = await cli('deploy', fixture.app, '--ref', third, '--stages', 'prod', '--wait', '--skip-promotion-check', '--by', 'hotfixer');
    expect(forced.exitCode).toBe(0);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toEqual({ http: 200, version: '3.0.0', release: third });
    expect(releaseLogOf(fixture.stages.prod.root)).toEqual([expect.objectContaining({ event: 'deployed', sha: third, by: 'hotfixer', promotionCheck: 'skipped' })]);
    const report = readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8');
    expect(report).toContain('- Promotion check: SKIPPED (--skip-promotion-check)');
  });

  it('a manual rollback that fails after its switch exits 5 with its report: the stage is left on no healthy release', async () => {
    // staging runs `good`; `third` is still on the host, but its `up` cannot run (the host lost part of it).
    const thirdDir = join(staging().root, 'releases', third);
    await rename(join(thirdDir, 'server.js'), join(thirdDir, 'server.js.away'));

    const result = await cli('rollback', fixture.app, '--stage', 'staging', '--to', third.slice(0, 12), '--by', 'oncall');

    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(new RegExp(`^error: ${fixture.app} on staging: rollback to ${third.slice(0, 12)} failed: .*docker compose up on local failed.*\\(stage left broken: needs a human\\)\n?$`));
    const reportPath = result.stdout.match(/^report: (.+)$/m)?.[1];
    expect(reportPath).toMatch(new RegExp(`^${fixture.config.reports}/rollback-${fixture.app}-\\d{8}T\\d{6}Z\\.md$`));
    expect(readFileSync(reportPath!, 'utf8')).toContain(`# Rollback ${fixture.app} on staging: FAILED, needs a human`);
    expect(releaseLogOf(staging().root).at(-1)).toMatchObject({ event: 'rollback-failed', sha: third, previous: good, by: 'oncall' });
    await rename(join(thirdDir, 'server.js.away'), join(thirdDir, 'server.js'));
  });

  it('after the refusals, the rollback reports are all there and no deploy report was written for a rollback', () => {
    const reports = readdirSync(fixture.config.reports);
    expect(reports.filter((name) => name.startsWith(`rollback-${fixture.app}-`)).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(fixture.config.reports, `rollback-${fixture.app}-latest.md`))).toBe(false);
  });
});
