import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEDULE_RUNS_FILE, ScheduleRunStore } from '../../src/records/schedule-run-store.js';
import { testServers } from '../support/servers.js';

/** The watchdog's stored schedule counters, in real files. */
describe('ScheduleRunStore', () => {
  const root = mkdtempSync(join(testServers().scratchRoot, 'schedule-runs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const store = () => {
    const logged: string[] = [];
    const dir = join(root, `case-${++n}`, 'state');
    return { dir, logged, store: new ScheduleRunStore(join(dir, SCHEDULE_RUNS_FILE), (line) => logged.push(line)) };
  };

  it('reads nothing stored before the first write, silently, and creates the state dir on write', async () => {
    const { store: s, logged, dir } = store();
    expect(await s.read()).toBeUndefined();
    await s.write({ 'nightly-backup': { skippedOverlap: 3, missedCatchupWindow: 1 } });
    expect(await s.read()).toStrictEqual({ 'nightly-backup': { skippedOverlap: 3, missedCatchupWindow: 1 } });
    expect(await readdir(dir)).toStrictEqual([SCHEDULE_RUNS_FILE]);
    expect(logged).toStrictEqual([]);
  });

  it.each([
    ['not JSON', '{"nightly-backup": {', /^schedule counters .* are damaged \(.*\); recording afresh$/],
    ['not an object', '[1, 2]', /^schedule counters .* are damaged \(not a JSON object\); recording afresh$/],
  ])('reads a damaged file (%s) as nothing stored, and says so', async (_name, content, message) => {
    const { store: s, logged, dir } = store();
    await s.write({});
    await writeFile(join(dir, SCHEDULE_RUNS_FILE), content);
    expect(await s.read()).toBeUndefined();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(message);
  });

  it('drops malformed entries and keeps the rest', async () => {
    const { store: s, dir } = store();
    await s.write({});
    await writeFile(join(dir, SCHEDULE_RUNS_FILE), JSON.stringify({ a: { skippedOverlap: 1, missedCatchupWindow: 0 }, b: { skippedOverlap: '1' }, c: null }));
    expect(await s.read()).toStrictEqual({ a: { skippedOverlap: 1, missedCatchupWindow: 0 } });
  });
});
