import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig, type OpsConfig } from '../../src/config/load-config.js';
import { workflowIds } from '../../src/temporal/names.js';
import type { DeployInput } from '../../src/contracts/deploy.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { makeDeployFixture, type DeployFixture, type DeployFixtureOptions } from './deploy-fixture.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

/**
 * Per-test limit for the deploy workflow tests. Each takes 10–60 s alone, but they run side by side
 * on a two-core box that other jobs may be using too: the limit is generous, and a hang still fails.
 */
export const DEPLOY_TEST_TIMEOUT_MS = 300_000;

export interface DeployWorld {
  fixture: DeployFixture;
  worker: TestWorker;
  /** Another in-process worker, e.g. on an edited config; stopped with the world. */
  startWorker(config: OpsConfig, options?: Parameters<typeof startTestWorker>[1]): Promise<TestWorker>;
}

/** The test context's onTestFinished: concurrent tests must register cleanup on their own context, not the global hook. */
export type OnFinished = (cleanup: () => Promise<void>) => void;

/** A fixture and an in-process worker of its own for one test, stopped and removed when the test finishes. */
export async function deployWorldForTest(options: DeployFixtureOptions, onFinished: OnFinished): Promise<DeployWorld> {
  const fixture = await makeDeployFixture(options);
  const workers: TestWorker[] = [];
  onFinished(async () => {
    for (const worker of workers) await worker.stop();
    await fixture.cleanup();
  });
  const startWorker = async (config: OpsConfig, options?: Parameters<typeof startTestWorker>[1]) => {
    const worker = await startTestWorker(config, options);
    workers.push(worker);
    return worker;
  };
  return { fixture, worker: await startWorker(fixture.config), startWorker };
}

/**
 * The fixture's config as an operator would change it between two deploys: the edited document is
 * written beside the original and loaded with the fixture's env. A worker started on the result
 * runs the next deploy with the new settings.
 */
export async function editedConfig(fixture: DeployFixture, edit: (doc: Record<string, any>) => void): Promise<OpsConfig> {
  const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
  edit(doc);
  const file = join(fixture.dir, `ops.config.edited-${Date.now().toString(36)}.yaml`);
  await writeFile(file, stringify(doc));
  return loadConfig(file, fixture.env);
}

/** The stage entry of the fixture's app in a config document. */
export function stageOf(doc: Record<string, any>, stage: 'staging' | 'prod'): Record<string, any> {
  return doc.apps[0].stages.find((s: { name: string }) => s.name === stage);
}

/** Starts a deploy of the fixture's app under a workflow id no other test uses. */
export function startDeploy(world: DeployWorld, input: Omit<DeployInput, 'app' | 'startedBy'> & { app?: string; startedBy?: string }, worker: TestWorker = world.worker): Promise<WorkflowHandle<typeof deployPipeline>> {
  return worker.client.workflow.start(deployPipeline, {
    taskQueue: worker.taskQueue,
    workflowId: `${workflowIds.deploy(world.fixture.app)}-${worker.workflowId('t')}`,
    args: [{ app: world.fixture.app, startedBy: 'test', ...input }],
  });
}

/** The error a run ended with; fails the test if it succeeded. */
export async function runFailure(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const error: unknown = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return error as WorkflowFailedError;
}

/** A deploy that ran its stages and failed one: the workflow's own DeployFailed or DeployRejected, with the outcome in its details. */
export async function deployFailure(handle: WorkflowHandle): Promise<{ failure: ApplicationFailure; outcome: string; reportPath: string }> {
  const { cause } = await runFailure(handle);
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  const [{ outcome, report }] = failure.details as [{ outcome: string; report: string }];
  return { failure, outcome, reportPath: report };
}

/** Each link of a failure chain as [class, type, message]: WorkflowFailedError → ActivityFailure → ApplicationFailure. */
export function failureChain(error: unknown): Array<[string, string | undefined, string]> {
  const links: Array<[string, string | undefined, string]> = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    links.push([current.constructor.name, current instanceof ApplicationFailure ? current.type ?? undefined : undefined, current.message]);
  }
  return links;
}
