import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployRecordsFile, readDeployRecords, recordDeployOutcome } from '../../src/records/deploy-records.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { DeployRecord } from '../../src/core/deploy-metrics.js';
import { testServers } from '../support/servers.js';

/** The deploy log on a real file: one line per deploy, readable back, intact under concurrent appends. */
describe('recordDeployOutcome', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'deploy-records-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig(`stateDir: ${dir}/state/nested`, join(dir, 'ops.config.yaml'), {});

  const record = (n: number): DeployRecord => ({
    app: `app-${n % 3}`,
    outcome: n % 2 === 0 ? 'succeeded' : 'failed',
    startedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 10, 22, 10, 5, n)).toISOString(),
    stages: [{ stage: 'staging', outcome: 'succeeded', steps: [{ step: 'build', seconds: n + 0.5 }] }],
  });

  it('reads no deploys before the first', async () => {
    expect(await readDeployRecords(config)).toEqual([]);
  });

  it('creates the state dir and appends one JSON line per deploy, in order', async () => {
    await recordDeployOutcome(config, record(1));
    await recordDeployOutcome(config, record(2));
    expect(deployRecordsFile(config)).toBe(join(dir, 'state/nested/deploys.jsonl'));
    expect(readFileSync(deployRecordsFile(config), 'utf8')).toBe(`${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}\n`);
    expect(await readDeployRecords(config)).toEqual([record(1), record(2)]);
  });

  it('keeps every line whole when deploys finish at once, and starts a fresh line after a torn one a crash left', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => recordDeployOutcome(config, record(100 + i))));
    appendFileSync(deployRecordsFile(config), '{"app":"torn","outc');
    await recordDeployOutcome(config, record(200));
    const records = await readDeployRecords(config);
    expect(records.slice(0, 2)).toEqual([record(1), record(2)]);
    expect(records.slice(2, -1).sort((a, b) => a.startedAt.localeCompare(b.startedAt))).toEqual(Array.from({ length: 40 }, (_, i) => record(100 + i)));
    expect(records.at(-1)).toEqual(record(200));
  });
});

/** A retried writeDeployReport (its answer lost after the write) must not count the deploy twice. */
describe('recordDeployOutcome on a retry', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'deploy-records-retry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig(`stateDir: ${dir}/state`, join(dir, 'ops.config.yaml'), {});
  const record = (runId: string) => ({
    app: 'crm', outcome: 'succeeded' as const, startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:05:00.000Z', stages: [], workflowId: 'deploy-crm', runId,
  });

  it('writes one line for two calls of the same run, and one more for the next run of the same workflow id', async () => {
    expect(await recordDeployOutcome(config, record('run-1'))).toBe(true);
    expect(await recordDeployOutcome(config, record('run-1'))).toBe(false);
    expect(await recordDeployOutcome(config, record('run-2'))).toBe(true);
    expect(readFileSync(deployRecordsFile(config), 'utf8')).toBe(`${JSON.stringify(record('run-1'))}\n${JSON.stringify(record('run-2'))}\n`);
    expect((await readDeployRecords(config)).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
  });
});
