import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForPollers } from './worker-readiness.js';
import { NAMESPACE, startBenchTemporal } from './bench-temporal.js';
import { workflowIds } from '../src/temporal/names.js';
import { deployPipeline, progressQuery } from '../src/workflows/deploy-pipeline.js';
import { innermostMessage } from '../src/workflows/progress.js';
import { timelineOf, type Timeline } from './activity-timeline.js';
import { STAGES, type DeployWorld } from './deploy-world.js';
import type { Teardown } from './teardown.js';
import { startWorkerProcess } from './worker-process.js';

export interface WorkflowRun {
  /** execute() call → result. */
  total: number;
  /** Seconds per progress step ("plan", "staging sync", ...), from the workflow's own timestamps. */
  steps: Map<string, number>;
  /** Seconds from a stage's first step starting to its last step ending, per stage deployed. */
  stageWalls: Map<string, number>;
  timeline: Timeline;
}

export interface DeployRig {
  /** Spawn → polling (includes bundling the workflows); not part of any timed run. */
  startupSeconds: number;
  /** Pids whose process trees do the workflow's work besides the sshd: the worker and the Temporal dev server. */
  pids: { worker: number; temporal: number };
  /** `alone`: only that stage, without the promotion check (its earlier stages never saw the commit). */
  run(sha: string, alone?: string): Promise<WorkflowRun>;
}

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
// temporal.api.enums.v1: TaskQueueKind NORMAL = 1; TaskQueueType WORKFLOW = 1, ACTIVITY = 2.



const seconds = (from?: string, to?: string) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : 0);

/**
 * A Temporal dev server and `ops worker` in its own process on the world's config, on a task
 * queue of its own, with `workerEnv` on top of the bench's env. Each run() is one deployPipeline of a commit through staging and prod (or one stage alone), started as
 * the CLI starts it (the app's deploy id, conflict policy FAIL).
 */
export async function startDeployRig(world: DeployWorld, workerEnv: Record<string, string>, teardown: Teardown, log: (line: string) => void): Promise<DeployRig> {
  const temporal = await startBenchTemporal(teardown, 'bench-deploy');
  const { client, taskQueue } = temporal;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...temporal.workerEnv, ...world.secretEnv, ...workerEnv };
  log(`starting worker on task queue ${taskQueue}`);
  const started = performance.now();
  const worker = startWorkerProcess({ projectRoot: PROJECT_ROOT, configFile: world.configFile, env });
  teardown.defer('stop worker', () => worker.stop());
  await worker.ready;
  await waitForPollers(client, NAMESPACE, taskQueue);
  const startupSeconds = (performance.now() - started) / 1000;
  log(`worker polling after ${startupSeconds.toFixed(1)} s`);

  const workflowId = workflowIds.deploy(world.app);
  return {
    startupSeconds,
    pids: { worker: worker.pid, temporal: temporal.pid },
    async run(sha, alone) {
      const stages = alone ? [alone] : STAGES;
      const begun = performance.now();
      let result;
      try {
        result = await temporal.abortable(() =>
          client.workflow.execute(deployPipeline, {
            taskQueue,
            workflowId,
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            args: [{ app: world.app, ref: sha, startedBy: 'deploy-bench', stages: [...stages], ...(alone ? { skipPromotionCheck: true } : {}) }],
          }),
        );
      } catch (err) {
        throw new Error(`${workflowId} failed: ${innermostMessage(err)}\nworker output:\n${worker.outputTail()}`);
      }
      const total = (performance.now() - begun) / 1000;
      if (result.sha !== sha || result.outcome !== 'succeeded') throw new Error(`${workflowId}: deployed ${result.sha} with outcome ${result.outcome}, expected ${sha} succeeded`);
      // The run just finished is the newest under the app's deploy id.
      const handle = client.workflow.getHandle(workflowId);
      const progress = await handle.query(progressQuery);
      const steps = new Map(progress.map((s) => [s.step, seconds(s.startedAt, s.finishedAt)]));
      const stageWalls = new Map(stages.map((stage) => {
        const own = progress.filter((s) => s.step.startsWith(`${stage} `) && s.startedAt && s.finishedAt);
        const from = own.map((s) => Date.parse(s.startedAt!)).reduce((a, b) => Math.min(a, b), Infinity);
        const to = own.map((s) => Date.parse(s.finishedAt!)).reduce((a, b) => Math.max(a, b), -Infinity);
        return [stage, (to - from) / 1000];
      }));
      return { total, steps, stageWalls, timeline: await timelineOf(handle) };
    },
  };
}
