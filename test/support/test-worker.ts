import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type ActivityInterceptorsFactory, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { OpsConfig } from '../../src/config/load-config.js';
import { createOpsWorker, WORKFLOWS_PATH } from '../../src/workers/create-worker.js';
import { installQuietRuntime } from '../../src/workers/quiet-runtime.js';
import type { WorkerRole } from '../../src/temporal/names.js';
import { quietLogger } from './quiet-logger.js';
import { testServers } from './servers.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes seconds, so each test file bundles the workflows once. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundle;
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  /** A workflow id no other test uses. */
  workflowId(prefix: string): string;
  stop(): Promise<void>;
}

/**
 * A real worker on the shared dev server, on a task queue of its own (or on `options.taskQueue`, when
 * the test made one up first); `options.uiUrl` is the Temporal UI its alerts link to.
 */
export async function startTestWorker(config: OpsConfig, options: { taskQueue?: string; uiUrl?: string; identity?: string; role?: WorkerRole; activityInterceptors?: ActivityInterceptorsFactory[] } = {}): Promise<TestWorker> {
  installQuietRuntime();
  const address = testServers().temporalAddress;
  const taskQueue = options.taskQueue ?? `test-${randomBytes(4).toString('hex')}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createOpsWorker({
    config,
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    ...(options.uiUrl ? { uiUrl: options.uiUrl } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.role ? { role: options.role } : {}),
    ...(options.activityInterceptors ? { activityInterceptors: options.activityInterceptors } : {}),
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    client,
    taskQueue,
    workflowId: (prefix) => `${prefix}-${randomBytes(4).toString('hex')}`,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}
