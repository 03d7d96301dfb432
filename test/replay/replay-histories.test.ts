import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installQuietRuntime } from '../../src/workers/quiet-runtime.js';
import { WORKFLOWS_PATH } from '../../src/workers/workflows-path.js';
import * as workflows from '../../src/workflows/index.js';
import { savedHistories } from '../support/saved-histories.js';
import { quietLogger } from '../support/quiet-logger.js';

/**
 * Every saved history (test/fixtures/histories, written by `npm run histories:save`) replays against
 * the current workflow code: a change that would break a run in flight (an activity call added,
 * removed or moved, a timer, a child) fails here before it ships. Needs the workflow bundle only.
 */
describe('saved workflow histories replay against the current code', () => {
  it('there is a saved history of every exported workflow', async () => {
    const saved = new Set((await savedHistories()).map((h) => h.workflowType));
    expect(Object.keys(workflows).filter((type) => !saved.has(type))).toEqual([]);
  });

  it('every saved history replays without a non-determinism error', async () => {
    installQuietRuntime();
    const histories = await savedHistories();
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    const results: Array<{ name: string; error?: string }> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'saved-histories' }, histories)) {
      results.push({ name: result.workflowId, ...(result.error ? { error: `${result.error.name}: ${result.error.message}` } : {}) });
    }
    expect(results).toEqual(histories.map((h) => ({ name: h.name })));
  });
});
