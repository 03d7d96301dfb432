import { Client, Connection } from '@temporalio/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UsageError } from '../../src/starters/exit-codes.js';
import { awaitPromotionCheck } from '../../src/starters/deploy-outcome.js';
import { workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { makeDeployFixture } from '../support/deploy-fixture.js';
import { testServers } from '../support/servers.js';
import { startTestWorker } from '../support/test-worker.js';

describe('awaitPromotionCheck (ops deploy --stages without --wait)', () => {
  it('a run that ended refused while its progress cannot be read (its worker gone) is still a refusal: exit 2 with its message', { timeout: 180_000 }, async () => {
    const fixture = await makeDeployFixture();
    onTestFinished(() => fixture.cleanup());
    const worker = await startTestWorker(fixture.config);
    const handle = await worker.client.workflow.start(deployPipeline, {
      taskQueue: worker.taskQueue,
      workflowId: `${workflowIds.deploy(fixture.app)}-${worker.workflowId('t')}`,
      args: [{ app: fixture.app, ref: 'main', stages: ['prod'], startedBy: 'test' }],
    });
    await handle.result().catch(() => undefined);
    // No worker answers queries on the ended run now: what the CLI sees when the run ended between two looks.
    await worker.stop();
    const connection = await Connection.connect({ address: testServers().temporalAddress });
    onTestFinished(() => connection.close());
    const ended = new Client({ connection }).workflow.getHandle(handle.workflowId);

    const sha = (await fixture.repo.sha('main')).slice(0, 12);
    const refusal = await awaitPromotionCheck(ended, 60_000).then(() => undefined, (err: unknown) => err);

    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as UsageError).message).toMatch(new RegExp(`^${fixture.app} ${sha} has not passed staging: .*; deploy it there first, or pass --skip-promotion-check$`));
  });
});
